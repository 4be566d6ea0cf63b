"""Operations: the scheduler and its leader lock, uptime checks of the ERP and its integrations,
the upgrade plan and its reminders, the roadmap, the weekly digest, and the ops channel."""
