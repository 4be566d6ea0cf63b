"""Operations: the scheduler and its jobs (uptime, upgrades and the digest come later)."""
