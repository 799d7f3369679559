"""`/kudos` text as Slack sends it: recipients, the message, the company value, subcommands."""

from __future__ import annotations

import pytest

from bot.kudos.rules import KudosDraft, KudosSubcommand, parse_kudos, parse_subcommand

VALUES = ("ownership", "customer-first", "be_kind")


def draft(recipients: tuple[str, ...], message: str, value: str | None = None) -> KudosDraft:
    return KudosDraft(recipients=recipients, message=message, value=value)


# Recipients ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("<@U0ALEX|alex> thanks for the laptop", id="with-name"),
        pytest.param("<@U0ALEX> thanks for the laptop", id="bare"),
        pytest.param("   <@U0ALEX>   thanks for the laptop  ", id="surrounding-spaces"),
    ],
)
def test_one_mention_in_either_form(raw: str) -> None:
    assert parse_kudos(raw) == draft(("U0ALEX",), "thanks for the laptop")


def test_enterprise_user_ids_starting_with_w_are_recipients() -> None:
    assert parse_kudos("<@W0ENT|ent> cheers") == draft(("W0ENT",), "cheers")


def test_several_recipients_in_order() -> None:
    assert parse_kudos("<@U0B|bo> <@U0A|al> <@U0C> great launch") == draft(
        ("U0B", "U0A", "U0C"), "great launch"
    )


def test_duplicate_mentions_collapse_keeping_first_order() -> None:
    parsed = parse_kudos("<@U0B|bo> <@U0A> <@U0B> thanks <@U0A|al> and <@U0C>")
    assert parsed.recipients == ("U0B", "U0A", "U0C")


def test_the_giver_among_recipients_is_still_parsed() -> None:
    # Refusing that is check_draft's job, with its own message.
    assert parse_kudos("<@U0ME|me> <@U0YOU> we did it") == draft(("U0ME", "U0YOU"), "we did it")


def test_no_mentions_means_no_recipients() -> None:
    assert parse_kudos("thanks for everything") == draft((), "thanks for everything")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("<@u0lower> hi", id="lowercase-id"),
        pytest.param("<@B0BOT> hi", id="bot-id"),
        pytest.param("&lt;@U0TYPED&gt; hi", id="typed-not-a-mention"),
        pytest.param("@alex hi", id="unresolved-at-name"),
    ],
)
def test_things_that_are_not_user_mentions_name_nobody(raw: str) -> None:
    assert parse_kudos(raw).recipients == ()


# Leading mentions and separators ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "recipients"),
    [
        pytest.param("<@U0A>, <@U0B> thanks", ("U0A", "U0B"), id="comma"),
        pytest.param("<@U0A>,<@U0B> thanks", ("U0A", "U0B"), id="comma-no-space"),
        pytest.param("<@U0A> and <@U0B> thanks", ("U0A", "U0B"), id="and"),
        pytest.param("<@U0A> AND <@U0B> thanks", ("U0A", "U0B"), id="and-uppercase"),
        pytest.param("<@U0A>, <@U0B> and <@U0C> thanks", ("U0A", "U0B", "U0C"), id="list"),
        pytest.param("<@U0A>, <@U0B>, and <@U0C> thanks", ("U0A", "U0B", "U0C"), id="oxford"),
        pytest.param("<@U0A>; <@U0B>: thanks", ("U0A", "U0B"), id="semicolon-colon"),
        pytest.param("<@U0A>\n<@U0B>\nthanks", ("U0A", "U0B"), id="newlines"),
    ],
)
def test_separators_between_leading_mentions_are_dropped(
    raw: str, recipients: tuple[str, ...]
) -> None:
    assert parse_kudos(raw) == draft(recipients, "thanks")


def test_and_starting_a_word_is_kept() -> None:
    assert parse_kudos("<@U0A> Andrew says hi").message == "Andrew says hi"


def test_and_is_a_separator_only_between_mentions() -> None:
    assert parse_kudos("<@U0A> and and done").message == "and and done"


def test_ampersand_between_leading_mentions_is_a_separator() -> None:
    assert parse_kudos("<@U0A> &amp; <@U0B> thanks") == draft(("U0A", "U0B"), "thanks")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("<@U0A> :tada: well done", ":tada: well done", id="emoji"),
        pytest.param("<@U0A> +1 on the release", "+1 on the release", id="plus-one"),
        pytest.param("<@U0A> &lt;3 you saved me", "<3 you saved me", id="heart"),
    ],
)
def test_message_starting_with_a_symbol_keeps_it(raw: str, message: str) -> None:
    assert parse_kudos(raw) == draft(("U0A",), message)


# Mentions inside the message ----------------------------------------------------------------


def test_mentions_inside_the_message_are_kept_normalised_and_thanked() -> None:
    assert parse_kudos("<@U0A|al> thanks for pairing with <@U0B|bo> on it") == draft(
        ("U0A", "U0B"), "thanks for pairing with <@U0B> on it"
    )


def test_a_message_of_only_inner_mentions() -> None:
    assert parse_kudos("thanks <@U0A|al> and <@U0B>!") == draft(
        ("U0A", "U0B"), "thanks <@U0A> and <@U0B>!"
    )


def test_a_leading_mention_repeated_inside_stays_in_the_text_once_as_recipient() -> None:
    assert parse_kudos("<@U0A> you rock, <@U0A|al>") == draft(("U0A",), "you rock, <@U0A>")


# Company values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message", "value"),
    [
        pytest.param("<@U0A> fixed it at 2am #ownership", "fixed it at 2am", "ownership", id="end"),
        pytest.param("<@U0A> #ownership fixed it", "fixed it", "ownership", id="start"),
        pytest.param("<@U0A> true #ownership here", "true here", "ownership", id="middle"),
        pytest.param("<@U0A> fixed it #OwnerShip", "fixed it", "ownership", id="mixed-case"),
        pytest.param("<@U0A> calm #customer-first", "calm", "customer-first", id="hyphen"),
        pytest.param("<@U0A> patient #be_kind", "patient", "be_kind", id="underscore"),
        pytest.param(
            "<@U0A> line one\nline two #ownership", "line one\nline two", "ownership", id="lines"
        ),
    ],
)
def test_known_value_tag_is_taken_out(raw: str, message: str, value: str) -> None:
    assert parse_kudos(raw, VALUES) == draft(("U0A",), message, value)


def test_values_list_is_matched_case_insensitively() -> None:
    assert parse_kudos("<@U0A> yes #ownership", ["OwnerShip"]).value == "ownership"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("<@U0A> great #teamwork", "great #teamwork", id="unknown-tag"),
        pytest.param("<@U0A> great #ownership-plus", "great #ownership-plus", id="longer-tag"),
        pytest.param("<@U0A> great ##ownership", "great ##ownership", id="double-hash"),
        pytest.param("<@U0A> issue#ownership", "issue#ownership", id="inside-a-word"),
        pytest.param("<@U0A> fixed #1", "fixed #1", id="number"),
    ],
)
def test_other_tags_stay_as_text(raw: str, message: str) -> None:
    assert parse_kudos(raw, VALUES) == draft(("U0A",), message, None)


def test_without_configured_values_every_tag_stays() -> None:
    assert parse_kudos("<@U0A> great #ownership") == draft(("U0A",), "great #ownership", None)


def test_only_the_first_known_value_is_taken() -> None:
    assert parse_kudos("<@U0A> #teamwork #customer-first and #ownership", VALUES) == draft(
        ("U0A",), "#teamwork and #ownership", "customer-first"
    )


def test_a_channel_named_like_a_value_selects_it() -> None:
    assert parse_kudos("<@U0A> sorted it <#C0123456|ownership>", VALUES) == draft(
        ("U0A",), "sorted it", "ownership"
    )


def test_a_channel_not_named_like_a_value_stays_as_its_name() -> None:
    assert parse_kudos("<@U0A> see <#C0123456|general>", VALUES) == draft(
        ("U0A",), "see #general", None
    )


def test_taking_the_value_collapses_the_double_space_it_leaves() -> None:
    assert parse_kudos("<@U0A> a #ownership b", VALUES).message == "a b"


def test_a_url_fragment_is_not_a_value() -> None:
    parsed = parse_kudos(
        "<@U0A> see <https://wiki.example.com/values/#ownership|our values>", VALUES
    )
    assert parsed == draft(
        ("U0A",), "see our values (https://wiki.example.com/values/#ownership)", None
    )


# Slack markup -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("<@U0A> R&amp;D rocks", "R&D rocks", id="ampersand"),
        pytest.param("<@U0A> 50% &gt; 40% &lt; 60%", "50% > 40% < 60%", id="angles"),
        pytest.param("<@U0A> keep &amp;lt; as is", "keep &lt; as is", id="double-escaped"),
        pytest.param(
            "<@U0A> see <https://x.example|the doc>", "see the doc (https://x.example)", id="link"
        ),
        pytest.param("<@U0A> see <https://x.example>", "see https://x.example", id="bare-link"),
        pytest.param("<@U0A> in <#C0123456|general>", "in #general", id="channel"),
        pytest.param("<@U0A> tell <!here>", "tell @here", id="here"),
        pytest.param("<@U0A> tell <!channel>", "tell @channel", id="channel-broadcast"),
    ],
)
def test_markup_is_decoded_to_plain_text(raw: str, message: str) -> None:
    assert parse_kudos(raw, VALUES) == draft(("U0A",), message)


# Empty messages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "recipients"),
    [
        pytest.param("", (), id="empty"),
        pytest.param("   ", (), id="blank"),
        pytest.param("<@U0A>", ("U0A",), id="mention-only"),
        pytest.param("<@U0A|al> , and <@U0B>  ", ("U0A", "U0B"), id="mentions-and-separators"),
    ],
)
def test_empty_message(raw: str, recipients: tuple[str, ...]) -> None:
    assert parse_kudos(raw) == draft(recipients, "")


def test_a_message_that_is_only_a_value_is_empty() -> None:
    assert parse_kudos("<@U0A> #ownership", VALUES) == draft(("U0A",), "", "ownership")


# Subcommands --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("", KudosSubcommand.STATUS, id="empty"),
        pytest.param("   ", KudosSubcommand.STATUS, id="blank"),
        pytest.param("top", KudosSubcommand.TOP, id="top"),
        pytest.param("TOP ", KudosSubcommand.TOP, id="top-upper-space"),
        pytest.param(" Top", KudosSubcommand.TOP, id="top-title"),
        pytest.param("help", KudosSubcommand.HELP, id="help"),
        pytest.param("HELP", KudosSubcommand.HELP, id="help-upper"),
        pytest.param("top 5", KudosSubcommand.GIVE, id="top-with-more"),
        pytest.param("topper", KudosSubcommand.GIVE, id="top-prefix"),
        pytest.param("status", KudosSubcommand.GIVE, id="status-word"),
        pytest.param("give", KudosSubcommand.GIVE, id="give-word"),
        pytest.param("<@U0A> thanks", KudosSubcommand.GIVE, id="mention"),
        pytest.param("<@U0A> top", KudosSubcommand.GIVE, id="mention-then-top"),
    ],
)
def test_parse_subcommand(raw: str, expected: KudosSubcommand) -> None:
    assert parse_subcommand(raw) is expected
