"""Read-only JSON documents: what ``load_pack`` hands out, so no caller can change the packs every request shares.

Why not a copy per call: a block reads its pack on every view and submit (tens of kilobytes for a
quiz pack), and a copy would be paid each time to protect against a bug. Why not
``MappingProxyType``/tuples: callers serialise packs (``json.dumps``, Django's JSONField) and test
them with ``isinstance(value, dict | list)``, which these subclasses still satisfy. A write
(``doc["x"] = …``, ``items.append``, ``random.shuffle(items)``) raises ``TypeError`` at once, where
it used to change every later learner's content in silence. ``copy.deepcopy`` and :func:`thaw` give
a plain, writable copy; pickling (a cache) stores plain dicts and lists.
"""

from __future__ import annotations

from typing import Any, NoReturn

MESSAGE = "a default pack is shared by every request and is read-only: change a copy (content.frozen.thaw or copy.deepcopy)"


def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError(MESSAGE)


class _Frozen:
    """What both frozen types share: copies and pickles are the plain, writable type."""

    __slots__ = ()
    _plain: type

    def __copy__(self):
        return self._plain(self)

    def __deepcopy__(self, memo: dict):
        return thaw(self)

    def __reduce__(self):
        return (self._plain, (self._plain(self),))


class FrozenDict(_Frozen, dict):
    """A JSON object that can be read like any dict and never written."""

    __slots__ = ()
    _plain = dict
    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse


class FrozenList(_Frozen, list):
    """A JSON array that can be read like any list and never written."""

    __slots__ = ()
    _plain = list
    __setitem__ = __delitem__ = __iadd__ = __imul__ = append = extend = insert = pop = remove = clear = sort = reverse = _refuse


def freeze(value: Any) -> Any:
    """``value`` (parsed JSON) with every object and array read-only."""
    if isinstance(value, dict):
        return FrozenDict((key, freeze(item)) for key, item in value.items())
    if isinstance(value, list):
        return FrozenList(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """A plain, writable deep copy of a (frozen or not) JSON value."""
    if isinstance(value, dict):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, list):
        return [thaw(item) for item in value]
    return value
