"""The app factory: settings in, a ready core out (database migrated, knowledge loaded)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.faq.knowledge import Knowledge
from bot.settings import Settings
from bot.store.db import Database
from bot.support.questions import SupportDesk


@dataclass
class Core:
    settings: Settings
    db: Database
    desk: SupportDesk

    @property
    def knowledge(self) -> Knowledge:
        return self.desk.knowledge

    async def close(self) -> None:
        await self.db.close()


async def create_core(settings: Settings) -> Core:
    knowledge = Knowledge.load(
        settings.knowledge_dir, settings.area_keys, settings.answer_threshold
    )
    db = Database(settings.database_url)
    await db.upgrade()
    desk = SupportDesk(settings, db, knowledge)
    await desk.prune_events()
    return Core(settings, db, desk)
