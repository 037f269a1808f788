"""The anchor of bench_lti: an LTI tool written the way pylti1p3's own Django example ("game") writes one.

Views follow ``examples/game/game/views.py`` of the pylti1p3 repository: a JSON tool
configuration (``ToolConfJsonFile``) read per request, ``DjangoOIDCLogin`` and
``DjangoMessageLaunch`` with ``DjangoCacheDataStorage``, the platform's keys fetched from
its keyset URL by the library, and a Django template rendered with the launch data.
Nothing here is used by the product.
"""
