"""The XBlock shells: thin classes that load content, call the engine and store or publish the result."""
