"""YAML front matter loaded within bounds: size, nesting and alias expansion are limited.

PyYAML's safe loader builds whatever a document describes. A "billion laughs" (anchors whose
aliases nest) is a few hundred bytes of text and billions of values to anyone who walks the
result, and its scalar constructors fail with KeyError, IndexError or AttributeError on bad tagged
values (``!!bool maybe``, ``!!int``, ``!!timestamp 99999-01-01``). ``load_front_matter`` composes
the node graph (with libyaml when PyYAML has it), checks it against the limits below before
constructing anything, and turns every failure into a ``yaml.YAMLError``: a
``FrontMatterRefused`` for a limit, a ``ConstructorError`` for a bad value, both with the line.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_EXPANDED",
    "MAX_NUMBER_CHARS",
    "FrontMatterRefused",
    "load_front_matter",
]

MAX_BYTES = 64 * 1024  # real front matter is under 2 KiB; checked before any parsing
MAX_DEPTH = 20  # lists and maps inside each other; real front matter is 3 deep at most
MAX_ALIASES = 100  # alias uses (``*name``) in one front matter
MAX_EXPANDED = 10_000  # values reached through aliases, each counted every time it is reached
MAX_NUMBER_CHARS = 100  # a longer integer is refused (``1:2:3...`` is quadratic to build)

# What PyYAML's scalar constructors raise on bad tagged values: they assume their pattern matched.
_CONSTRUCTOR_FAULTS = (ArithmeticError, AttributeError, LookupError, TypeError, ValueError)


class FrontMatterRefused(yaml.MarkedYAMLError):
    """The front matter exceeds a limit (size, nesting, aliases); ``problem`` says which."""

    def __init__(self, problem: str, node: Node | None = None) -> None:
        super().__init__(problem=problem, problem_mark=node.start_mark if node else None)


class _Loader(_SafeLoader):
    """The safe loader, reporting constructor faults as ConstructorErrors at the value's line."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except _CONSTRUCTOR_FAULTS:
            raise ConstructorError(None, None, _invalid(node), node.start_mark) from None


def _construct_int(loader: _Loader, node: ScalarNode) -> int:
    """``!!int``, refusing numbers so long that building or printing them is costly."""
    if len(loader.construct_scalar(node)) > MAX_NUMBER_CHARS:
        problem = f"number longer than {MAX_NUMBER_CHARS} characters (quote it to make it text)"
        raise ConstructorError(None, None, problem, node.start_mark)
    return loader.construct_yaml_int(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def load_front_matter(source: str) -> object:
    """The value of the YAML document ``source``, or None when it is empty.

    Raises ``yaml.YAMLError`` (``FrontMatterRefused`` beyond a limit) and nothing else.
    """
    if len(source) > MAX_BYTES or len(source.encode("utf-8", "replace")) > MAX_BYTES:
        raise FrontMatterRefused(f"larger than {MAX_BYTES // 1024} KiB")
    try:
        loader = _Loader(source)
    except UnicodeEncodeError as err:  # a lone surrogate; libyaml reads UTF-8
        raise yaml.YAMLError(f"not Unicode text ({err.reason})") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node)
        return loader.construct_document(node)
    except RecursionError:  # only the pure-Python composer recurses per level
        raise FrontMatterRefused(f"nested deeper than {MAX_DEPTH} levels") from None
    except _CONSTRUCTOR_FAULTS as err:  # raised outside construct_object, e.g. by a merge
        raise ConstructorError(None, None, f"invalid value: {err}", None) from None
    finally:
        loader.dispose()


def _check_graph(root: Node) -> None:
    """Refuse a node graph nested too deep, using too many aliases, or expanding too far.

    Walks the graph as a tree (each alias expanded where it is used) and stops at the first
    limit, so it takes at most ``MAX_EXPANDED`` steps more than the document has nodes.
    """
    seen: set[int] = set()
    aliases = expanded = 0
    # Each entry: a node, its depth, and the aliased node whose expansion it is part of.
    stack: list[tuple[Node, int, Node | None]] = [(root, 1, None)]
    while stack:
        node, depth, aliased = stack.pop()
        if aliased is None and id(node) in seen:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise FrontMatterRefused(f"more than {MAX_ALIASES} aliases", node)
            aliased = node
        if aliased is not None:
            expanded += 1
            if expanded > MAX_EXPANDED:
                problem = f"aliases expand to over {MAX_EXPANDED:,} values"
                raise FrontMatterRefused(problem, aliased)
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            continue
        if depth > MAX_DEPTH:
            raise FrontMatterRefused(f"nested deeper than {MAX_DEPTH} levels", node)
        if isinstance(node, SequenceNode):
            children: list[Node] = list(node.value)
        elif isinstance(node, MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = []
        stack.extend((child, depth + 1, aliased) for child in reversed(children))


def _invalid(node: Node) -> str:
    """``invalid !!bool value 'maybe'``: the problem with a value its constructor failed on."""
    tag = str(node.tag)
    tag = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org") else tag
    if isinstance(node, ScalarNode):
        text = str(node.value)
        shown = repr(text if len(text) <= 40 else text[:39] + "…")
        return f"invalid {tag} value {shown}"
    return f"invalid {tag} value"
