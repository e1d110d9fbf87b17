"""Pure renderers for the bot: values in, Telegram HTML text and inline keyboards out."""
