"""The Telegram Bot API sandbox: an emulator faithful enough for end-to-end tests."""
