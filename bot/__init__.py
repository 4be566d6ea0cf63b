"""firstline core: knowledge, matching, storage and support services. Knows nothing about Slack."""
