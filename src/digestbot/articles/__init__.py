"""Articles: the domain model, the parser (pure) and the loader (files -> store)."""

from digestbot.articles.model import Article, ArticleText, Lang

__all__ = ["Article", "ArticleText", "Lang"]
