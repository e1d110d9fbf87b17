"""The single catalogue of reader-facing text: every message the bot shows, by its English id.

Constants are marked with ``N_``/``NP_`` for ``pybabel extract`` and translated per reader with
``digestbot.i18n.translator(lang)``. Fields are ``str.format`` names (``{name}``); values put into
them must be HTML-escaped by the caller. Texts may use Telegram HTML only (``<b>``, ``<i>``,
``<a href>``, ``<code>`` ...). Add new reader-facing text here, then update the catalogs
(``locales/README.md``); ``tests/test_catalogs.py`` fails until it has a Chinese translation.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from digestbot.i18n import N_, NP_
from digestbot.model import Lang

# Language names are shown as themselves, never translated (the /language buttons).
LANGUAGE_NAMES: Final[Mapping[Lang, str]] = MappingProxyType({Lang.ZH: "中文", Lang.EN: "English"})

# /start and /language
GREETING = N_("Hello {name}! I send digests of articles in Chinese and English.")
GREETING_SCHEDULE = N_("It arrives {when}, and /settings can change that.")
# When the digest comes ({when} above and below), by the reader's rhythm
SCHEDULE_DAILY = N_("every day at {time} ({timezone})")
SCHEDULE_WEEKDAYS = N_("on weekdays at {time} ({timezone})")
SCHEDULE_WEEKLY = N_("every {day} at {time} ({timezone})")
SCHEDULE_PAUSED_UNTIL = N_("every day at {time} ({timezone}) from {date}")
SCHEDULE_PAUSED = N_("once you resume it in /settings")
GREETING_AGAIN = N_("Welcome back, {name}!")
CHOOSE_LANGUAGE = N_("Which language would you like?")
LANGUAGE_CHOSEN = N_("Done: I will talk to you in English from now on.")

# /tags
TAGS_PROMPT = N_("Pick the tags you want to follow. Follow none to get articles on every topic.")
TAGS_NONE_AVAILABLE = N_("There are no tags yet.")
TAGS_FOLLOWING = N_("You follow: {tags}")
TAGS_EVERYTHING = N_("You follow no tags, so you get articles on every topic.")
BUTTON_DONE = N_("Done")
TAGS_PAGE = N_("Page {page} of {pages}")
TAG_FOLLOWED = N_("Following: {tag}")
TAG_UNFOLLOWED = N_("No longer following: {tag}")
TAG_GONE = N_("That tag no longer exists. Here are the current tags.")

# /subscribe, /unsubscribe
SUBSCRIBED = N_("Subscribed! Your digest arrives {when}.")
ALREADY_SUBSCRIBED = N_("You are already subscribed.")
UNSUBSCRIBED = N_("Unsubscribed: no more digests. Send /subscribe any time to come back.")
NOT_SUBSCRIBED = N_("You are not subscribed. Send /subscribe to get the digest.")
BUTTON_SUBSCRIBE = N_("Subscribe")
BUTTON_UNSUBSCRIBE = N_("Unsubscribe")

# /settings
SETTINGS_HEADER = N_("<b>Your settings</b>")
SETTINGS_LINE = N_("{label}: {value}")
SETTINGS_LANGUAGE = N_("Language")
SETTINGS_TAGS = N_("Tags")
SETTINGS_DIGEST_TIME = N_("Digest time")
SETTINGS_TIME_ZONE = N_("Time zone")
SETTINGS_SUBSCRIPTION = N_("Digests")
SETTING_ON = N_("On")
SETTING_OFF = N_("Off")
TAGS_ALL = N_("All topics")
SETTINGS_OTHER_LANGUAGE = N_("Articles only in the other language")
SETTING_SHOWN = N_("Shown")
SETTING_HIDDEN = N_("Hidden")
BUTTON_SHOW_OTHER_LANGUAGE = N_("Show articles only in the other language")
BUTTON_HIDE_OTHER_LANGUAGE = N_("Hide articles only in the other language")
OTHER_LANGUAGE_SHOWN = N_(
    "Digests and search now include articles only in the other language, marked as such."
)
OTHER_LANGUAGE_HIDDEN = N_("Digests and search now leave out articles only in the other language.")
BUTTON_CHANGE_LANGUAGE = N_("Change language")
BUTTON_CHANGE_TAGS = N_("Change tags")
BUTTON_CHANGE_TIME = N_("Change digest time")
BUTTON_CHANGE_TIME_ZONE = N_("Change time zone")
# /settings: the rhythm screen
SETTINGS_RHYTHM = N_("Rhythm")
BUTTON_CHANGE_RHYTHM = N_("Rhythm and instant tags")
RHYTHM_DAILY = N_("Every day")
RHYTHM_WEEKDAYS = N_("Weekdays")
RHYTHM_WEEKLY = N_("Weekly, on {day}")
RHYTHM_PAUSED = N_("Paused")
RHYTHM_PAUSED_UNTIL = N_("Paused until {date}")
RHYTHM_HEADER = N_("<b>Your rhythm</b>")
RHYTHM_DIGESTS = N_("Digests: {rhythm}")
RHYTHM_NEXT = N_("Next digest: {date}, {time}")
RHYTHM_INSTANT = N_("Instant tags: {tags}")
RHYTHM_INSTANT_NONE = N_("none")
RHYTHM_INSTANT_HINT = N_(
    "Tap a tag you follow to make it instant (⚡): its new articles come the minute they "
    "arrive, and not again in the digest."
)
RHYTHM_INSTANT_NO_TAGS = N_("Follow tags with /tags to make one instant.")
RHYTHM_QUIET_ON = N_("Quiet hours, 22:00 to 07:00: instant articles wait until morning.")
RHYTHM_QUIET_OFF = N_("Quiet hours off: instant articles come day and night.")
RHYTHM_PICK_DAY = N_("On which day should the weekly digest come?")
RHYTHM_PICK_PAUSE = N_("Pause the digest until which day?")
BUTTON_PAUSE_OTHER_DATE = N_("Other date…")
ASK_PAUSE_DATE_TYPED = N_(
    "Send the day your digests should come again, for example <code>25 Dec</code>, "
    "<code>next Monday</code> or <code>2 weeks</code>."
)
INVALID_PAUSE_DATE = N_(
    "I could not read {value} as a day. Please send it like <code>25 Dec</code>, "
    "<code>next Monday</code> or <code>3 days</code>."
)
PAUSE_DATE_NOT_AHEAD = N_(
    "{value} is not after today ({today}). Please send a later day, for example "
    "<code>next Monday</code> or <code>2 weeks</code>."
)
PAUSE_DATE_TOO_FAR = N_(
    "{value} is more than a year away. Please send a day within a year, for example "
    "<code>25 Dec</code> or <code>2 weeks</code>."
)
BUTTON_RHYTHM_WEEKLY = N_("Weekly")
BUTTON_PAUSE = N_("Pause")
BUTTON_RESUME = N_("Resume")
BUTTON_QUIET_ON = N_("Quiet hours: on")
BUTTON_QUIET_OFF = N_("Quiet hours: off")
BUTTON_BACK_TO_SETTINGS = N_("Back to settings")
INSTANT_ON = N_("Instant: {tag}")
INSTANT_OFF = N_("No longer instant: {tag}")
ASK_DIGEST_TIME = N_(
    "Choose the time of your digest, or send one, for example <code>7:30</code> "
    "or <code>6pm</code>."
)
ASK_DIGEST_TIME_TYPED = N_(
    "Send the time of your digest, for example <code>7:30</code>, <code>18:30</code> "
    "or <code>6pm</code>."
)
ASK_TIME_ZONE = N_(
    "Choose your time zone, or send your city or country, for example <code>London</code>, "
    "or an offset from UTC such as <code>UTC+8</code>."
)
ASK_TIME_ZONE_TYPED = N_(
    "Send your city or country, for example <code>London</code> or <code>Tokyo</code>, "
    "or an offset from UTC such as <code>UTC-5</code>."
)
BUTTON_OTHER_TIME = N_("Other time")
BUTTON_OTHER_TIME_ZONE = N_("Other place")
INVALID_TIME = N_(
    "I could not read {value} as a time. Please send it like <code>7:30</code>, "
    "<code>18:30</code> or <code>6pm</code>."
)
INVALID_TIME_ZONE = N_(
    "Unknown time zone: {value}. Please send a city or a country such as <code>London</code>, "
    "or an offset from UTC such as <code>UTC-5</code>."
)
TIME_ZONE_SEVERAL = N_(
    "{value} has several time zones. Please send your city instead, "
    "for example <code>New York</code>."
)
DIGEST_TIME_SET = N_("Your digest now arrives {when}.")
ASK_CANCEL_HINT = N_("Send /cancel to keep the current setting.")
TIME_ZONE_WHOLE_HOURS = N_(
    "{value} is not a whole number of hours from UTC. Please send your city instead, "
    "such as <code>Kolkata</code>."
)
CANCELLED = N_("Cancelled: your settings are unchanged.")
NOTHING_TO_CANCEL = N_("There is nothing to cancel.")

# /search and plain-text search
GREETING_REPLY = N_(
    "Hello! I send you a digest of articles {when}, and I find articles for you: send me some "
    "words, for example <code>battery</code>. Send /help to see everything I can do."
)
GREETING_REPLY_NO_DIGEST = N_(
    "Hello! I find articles for you: send me some words, for example <code>battery</code>. "
    "Send /subscribe for a digest of new articles, and /help to see everything I can do."
)
SEARCH_RESULTS = NP_(
    "Results for <b>{query}</b>: {n} article", "Results for <b>{query}</b>: {n} articles"
)
SEARCH_NO_RESULTS = N_("Nothing found for <b>{query}</b>. Try other words.")
SEARCH_USAGE = N_(
    "Send <code>/search</code> followed by some words, for example <code>/search climate</code>, "
    "or simply send the words as a message."
)
SEARCH_PAGE = N_("Page {page} of {pages}")
SEARCH_EXPIRED = N_("These results have expired. Please search again.")
SEARCH_SHORTENED = NP_(
    "Your search was long: I searched for its first {n} character only.",
    "Your search was long: I searched for its first {n} characters only.",
)
BUTTON_NEXT = N_("Next")
BUTTON_PREVIOUS = N_("Previous")

# /read
READ_USAGE = N_(
    "Send <code>/read</code> followed by an article number, for example <code>/read 42</code>."
)
ARTICLE_NOT_FOUND = N_("Article {id} was not found. It may have been removed.")
ONLY_IN_ENGLISH = N_("(English only)")
ONLY_IN_CHINESE = N_("(Chinese only)")
FULL_TEXT = N_("Full text")
FULL_TEXT_LINK = N_("Full text: {command}")
SOURCE = N_("Source")
PUBLISHED = N_("Published {date}")
AUTHOR = N_("By {author}")
TAGS_LINE = N_("Tags: {tags}")
BUTTON_READ_IN_CHINESE = N_("Read in Chinese")
BUTTON_READ_IN_ENGLISH = N_("Read in English")

# Digests (scheduled and /digest)
DIGEST_HEADER = NP_(
    "<b>Your digest for {date}</b>: {n} new article",
    "<b>Your digest for {date}</b>: {n} new articles",
)
DIGEST_MORE = NP_("…and {n} more article", "…and {n} more articles")
DIGEST_REST_HEADER = N_("<b>More from your digest for {date}</b>")
BUTTON_MORE_ARTICLES = N_("Show more articles")
DIGEST_NOTHING_NEW = N_("Nothing new today.")
DIGEST_NOTHING_SINCE_LAST = N_("No new articles since your last digest.")
ARTICLE_COUNT = NP_("{n} article", "{n} articles")

# Inline mode
INLINE_NO_RESULTS = N_("No articles found")
INLINE_HINT = N_("Type some words to search the articles")

# /help and the command menu (setMyCommands: plain text, at most 256 characters each)
HELP_HEADER = N_("<b>What I can do</b>")
HELP_LINE = N_("/{command} — {description}")
HELP_FOOTER = N_("You can also just send me some words to search the articles.")
HELP_SCHEDULE = N_("Your digest arrives {when}; /settings changes that.")
HELP_OTHER_LANGUAGE = N_(
    "Articles only in the other language are shown too, marked as such; /settings can hide them."
)
COMMANDS = (
    ("start", N_("Start and choose your language")),
    ("help", N_("What each command does")),
    ("language", N_("Choose Chinese or English")),
    ("tags", N_("Choose the topics you follow")),
    ("subscribe", N_("Get the digest of new articles")),
    ("unsubscribe", N_("Stop the digest")),
    ("settings", N_("Language, tags, digest time and time zone")),
    ("search", N_("Search the articles: /search words")),
    ("read", N_("Read an article: /read number")),
    ("digest", N_("Get your digest now")),
)

# Admins
ADMIN_ONLY = N_("Sorry, this command is only for the bot's administrators.")
GROUP_ADMINS_ONLY = N_("Only this group's admins can change its digest settings.")
STATS_HEADER = N_("<b>Statistics</b>")
STATS_SUBSCRIBERS = N_(
    "Subscribers: {active} active, {unsubscribed} unsubscribed, {blocked} blocked the bot"
)
STATS_BY_LANGUAGE = N_("Active subscribers by language:")
STATS_LANGUAGE = N_("{language}: {count}")
STATS_ARTICLES = N_("Articles: {count}")
STATS_TAGS = N_("Tags: {count}")
STATS_DELIVERY = N_(
    "Delivery: {sent} sent today, {pending} pending, {failed} failed, "
    "{blocked} readers blocked the bot"
)

# Alerts to administrators (digestbot.monitoring.alerts), one kind each, and /alerts
ALERT_REJECTED_FILES = N_("A rescan rejected article files.")
ALERT_SENDER_STALLED = N_("Messages that are due have waited more than 5 minutes to be sent.")
ALERT_FLOOD_WAIT = N_("Telegram asked the bot to wait more than 60 seconds before sending.")
ALERT_MESSAGES_FAILED = N_("Messages failed for good: they will not be sent.")
ALERT_DATABASE_ERROR = N_("The database reported an error.")
ALERT_MORE_DETAILS = NP_("…and {n} more", "…and {n} more")
ALERT_TOTAL = NP_("{n} time in all.", "{n} times in all.")
ALERT_MORE_SINCE_LAST = NP_("{n} more since the last alert.", "{n} more since the last alert.")
ALERT_FOOTER = N_("Send <code>/alerts off</code> to turn alerts off.")
ALERTS_ARE_ON = N_(
    "Alerts are on: I tell you when something goes wrong, at most once an hour for each kind "
    "of problem. Send <code>/alerts off</code> to turn them off."
)
ALERTS_ARE_OFF = N_("Alerts are off. Send <code>/alerts on</code> to turn them back on.")
ALERTS_USAGE = N_("Send <code>/alerts on</code> or <code>/alerts off</code>.")
ALERTS_PRIVATE_ONLY = N_("Please send /alerts to me in a private chat.")

# Errors
ERROR_GENERIC = N_("Sorry, something went wrong. Please try again later.")
ERROR_STORE_AWAY = N_("Sorry, I can't reach my archive just now. Please try again in a minute.")
UNKNOWN_COMMAND = N_("I don't know that command. Send /help to see what I can do.")
BUTTON_EXPIRED = N_("This button has expired.")
NO_LONGER_AVAILABLE = N_("This is no longer available.")
