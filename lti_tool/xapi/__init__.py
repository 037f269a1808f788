"""The tool's xAPI room: forwarding its statements to the operator's LRS, and receiving statements that
other platforms route to it (Open edX's event-routing-backends). The statements themselves come from
``ldai_xblocks.engine.xapi``; they are stored by ``lti_tool.runtime.statements``."""
