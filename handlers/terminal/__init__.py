"""The terminal adapter: the `firstline` command line (`cli`), the chat in a terminal (`chat`),
and the sender that prints the chat's notices when no chat platform is configured (`sender`)."""
