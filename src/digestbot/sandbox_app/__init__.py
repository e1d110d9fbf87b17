"""The sandbox application: the real bot hosted inside the Telegram emulator (`digestbot sandbox`).

The emulator (:mod:`digestbot.sandbox`) knows nothing of digestbot; the bot (:mod:`digestbot.bot`)
knows nothing of the emulator. This package joins the two: it starts both in one event loop,
gives the chat page its controls (the clock, "send the digest now") and explains what they did.
"""
