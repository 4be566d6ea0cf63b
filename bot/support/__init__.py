"""Support services: questions asked, feedback, and (later) escalations."""
