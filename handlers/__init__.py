"""Channel adapters: translate a chat platform's payloads into core calls and back."""
