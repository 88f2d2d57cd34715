"""Reply values -> Slack Block Kit (``blocks``), and the replies the bot itself lays out:
confirmation cards (``cards``) and error notices (``notices``)."""

from __future__ import annotations

from bot.render.blocks import Rendered, clip, render, to_blocks

__all__ = ["Rendered", "clip", "render", "to_blocks"]
