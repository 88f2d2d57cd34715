from __future__ import annotations

import json

from bot.render.blocks import MAX_FIELDS, clip, render
from intents.reply import (
    Actions,
    Button,
    Context,
    Header,
    Reply,
    Section,
    bold,
    code,
    escape,
    fields,
    link,
    md,
    mention,
    plain,
)


def test_escape_turns_slack_control_characters_into_entities() -> None:
    assert escape("<!channel> & <@U123>") == "&lt;!channel&gt; &amp; &lt;@U123&gt;"


def test_md_escapes_values_but_not_the_template() -> None:
    out = md("*Endpoint* {name} is {state}", name="<!here>", state=bold("down & out"))
    assert out == "*Endpoint* &lt;!here&gt; is *down &amp; out*"


def test_code_and_bold_cannot_be_broken_out_of() -> None:
    assert code("a`<!channel>`b") == "`aˋ&lt;!channel&gt;ˋb`"
    assert "<!" not in bold("*<!everyone>*")


def test_mentions_and_links_only_for_well_formed_values() -> None:
    assert mention("U0ALICE") == "<@U0ALICE>"
    assert mention("<!channel>") == "&lt;!channel&gt;"
    assert (
        link("https://console.aws.amazon.com/x", "open <!here>")
        == "<https://console.aws.amazon.com/x|open &lt;!here&gt;>"
    )
    assert link("javascript:alert(1)", "x") == "x"
    assert link("https://a.example/|<!channel>", "x") == "x"


def test_render_lays_out_blocks_and_escapes_the_notification_text() -> None:
    reply = Reply(
        summary="alert <!channel>",
        blocks=(
            Header("Title"),
            Section(md("hello {x}", x="<b>")),
            Context(plain("ctx")),
            Actions((Button("Approve", "plan_approve", "id1", "primary"),)),
        ),
    )
    rendered = render(reply)
    assert rendered.text == "alert &lt;!channel&gt;"
    kinds = [b["type"] for b in rendered.blocks]
    assert kinds == ["header", "section", "context", "actions"]
    assert rendered.blocks[1]["text"]["text"] == "hello &lt;b&gt;"
    assert rendered.blocks[3]["elements"][0]["value"] == "id1"


def test_clip_never_cuts_an_entity_or_a_mention_in_half() -> None:
    text = "a" * 10 + "&amp;" + "b" * 10
    assert clip(text, 13).endswith("…") and "&am" not in clip(text, 13)
    assert "<@U" not in clip("xx <@U0ALICE> yy", 7)


def test_long_sections_and_many_fields_stay_within_block_kit_limits() -> None:
    reply = Reply(
        summary="s",
        blocks=(Section(plain("x" * 5000), fields([(f"f{i}", "v" * 3000) for i in range(23)])),),
    )
    blocks = render(reply).blocks
    assert len(blocks[0]["text"]["text"]) <= 3000
    assert all(len(b.get("fields", [])) <= MAX_FIELDS for b in blocks)
    assert sum(len(b.get("fields", [])) for b in blocks) == 23
    assert all(len(f["text"]) <= 2000 for b in blocks for f in b.get("fields", []))
    json.dumps(blocks)


def test_clip_cuts_whole_lines_and_says_how_many_are_left() -> None:
    rows = "\n".join(f"• *endpoint-{i}* <https://example.com/{i}|console>" for i in range(200))
    clipped = clip(rows, 3000)
    assert len(clipped) <= 3000
    kept = clipped.split("\n")[:-1]
    assert all(line.count("*") == 2 and line.endswith("|console>") for line in kept)
    assert clipped.endswith(f"…and {200 - len(kept)} more lines")


def test_clip_keeps_a_code_block_whole_or_closes_it() -> None:
    prediction = "```" + "\n".join(f"0.{i:04d}" for i in range(1000)) + "```"
    text = "*fraud-detector-prod* says:\n" + prediction
    clipped = clip(text, 3000)
    assert len(clipped) <= 3000 and clipped.count("```") == 2
    assert clipped.startswith("*fraud-detector-prod* says:")
    alone = clip(prediction, 500)
    assert len(alone) <= 500 and alone.count("```") == 2 and alone.startswith("```0.0000")


def test_clip_inside_one_long_line_never_leaves_bold_or_a_link_open() -> None:
    line = " ".join(f"*bold {i}* <https://example.com/{i}|link {i}> &amp;" for i in range(100))
    clipped = clip(line, 300)
    assert len(clipped) <= 300 and clipped.endswith(" …")
    assert clipped.count("*") % 2 == 0 and clipped.count("<") == clipped.count(">")
    assert "&am" not in clipped.replace("&amp;", "")
