"""TraX message grammar, as libtrax 4 writes and reads it (``src/message.c``).

A message is one line: ``@@TRAX:`` at the very start of the line, the message name
(letters and digits: ``hello``, ``initialize``, ``frame``, ``state`` -- read also as
``status`` --, ``quit``), then space-separated arguments. Positional arguments come
first, then named ones (``key=value``; a key is 1-64 letters, digits, ``.`` or ``_``).

Writing (``write_message``): every argument, named ones included, is written as
``"<text>" `` -- double-quoted and followed by one space -- so a line always ends in a
space before the newline; inside the quotes ``\\``, ``"`` and the newline are escaped as
``\\\\``, ``\\"`` and ``\\n``. For a named argument only the value is escaped. Named
arguments are written in the order libtrax's property map enumerates them: by bucket
``djb2(key) % 32`` (``src/strmap.c``, ``hash``), and in insertion order within a bucket.

Reading (``read_message``): a line that does not start with the prefix, or whose name is
unknown, is skipped (it is ordinary program output). An argument is quoted (ends at the
closing quote, which must be followed by a space or the end of the line) or unquoted
(ends at a space). A backslash takes the next character literally, except ``\\n`` (a
newline). An argument whose text before its first ``=`` is a valid key is named;
otherwise (``image:...``, base64 data, a path with ``=``) it is positional. ``\\r`` is
skipped between arguments. A message cut by the end of the stream ends there.

Format lists (``trax.region``, ``trax.image``, ``trax.channels`` in ``hello``) are
``;``-separated with a trailing ``;`` when written (``rectangle;polygon;``); reading also
accepts spaces as separators in libtrax (``strtok(str, " ;")`` for the first item).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

PREFIX = "@@TRAX:"
MESSAGES = ("hello", "initialize", "frame", "state", "quit")
_ALIASES = {"status": "state"}
MAX_KEY_LENGTH = 64
PROPERTY_BUCKETS = 32  # libtrax: trax_properties_create -> sm_new(32)

REGION_FORMATS = ("rectangle", "polygon", "mask")
IMAGE_FORMATS = ("path", "url", "memory", "buffer")
CHANNELS = ("color", "depth", "ir")


class GrammarError(ValueError):
    """A line that starts like a TraX message but breaks its grammar."""


@dataclass
class Message:
    """One protocol message: its name, positional arguments and named arguments."""

    name: str
    arguments: list[str] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)


def is_valid_key(key: str) -> bool:
    """A named-argument key: 1..64 ASCII letters, digits, ``.`` or ``_``."""
    return 0 < len(key) <= MAX_KEY_LENGTH and all(c.isascii() and (c.isalnum() or c in "._") for c in key)


def _bucket(key: str) -> int:
    value = 5381
    for byte in key.encode("utf-8"):
        value = (value * 33 + (byte if byte < 128 else byte - 256)) & 0xFFFFFFFFFFFFFFFF  # C `char` is signed
    return value % PROPERTY_BUCKETS


def property_order(properties: Mapping[str, object]) -> list[tuple[str, str]]:
    """``properties`` as libtrax enumerates them when writing (see the module docstring)."""
    items = [(str(k), str(v)) for k, v in properties.items()]
    return [item for _, _, item in sorted((_bucket(k), i, (k, v)) for i, (k, v) in enumerate(items))]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def format_message(name: str, arguments: Iterable[str] = (), properties: Mapping[str, object] | None = None) -> str:
    """One message line as libtrax writes it, with its final newline."""
    if name not in MESSAGES:
        raise ValueError(f"unknown TraX message {name!r}")
    parts = [f"{PREFIX}{name} "]
    parts.extend(f'"{_escape(str(a))}" ' for a in arguments)
    for key, value in property_order(properties or {}):
        if not is_valid_key(key):
            raise ValueError(f"TraX property name {key!r} is invalid (1-64 letters, digits, '.', '_')")
        parts.append(f'"{key}={_escape(value)}" ')
    return "".join(parts) + "\n"


def _split_key(text: str) -> tuple[str, str] | None:
    key, sep, value = text.partition("=")
    return (key, value) if sep and is_valid_key(key) else None


def _tokens(body: str) -> Iterable[tuple[str, str | None]]:
    """Yield ``(text, None)`` for positional and ``(key, value)`` for named arguments.

    The key/value split is decided at the first ``=`` of the raw argument, before
    escapes are resolved in the value (as libtrax does it)."""
    i, n = 0, len(body)
    while i < n:
        if body[i] in " \r":
            i += 1
            continue
        quoted = body[i] == '"'
        if quoted:
            i += 1
        key: list[str] = []
        value: list[str] | None = None
        closed = False
        while i < n:
            ch = body[i]
            if ch == "\\":
                if i + 1 >= n:
                    raise GrammarError("escape at the end of the line")
                nxt = body[i + 1]
                (key if value is None else value).append("\n" if nxt == "n" else nxt)
                i += 2
                continue
            if quoted and ch == '"':
                closed = True
                i += 1
                break
            if not quoted and ch == " ":
                break
            if ch == "=" and value is None and is_valid_key("".join(key)):
                value = []
            else:
                (key if value is None else value).append(ch)
            i += 1
        if quoted:
            if not closed:
                raise GrammarError("unterminated quote")
            if i < n and body[i] != " ":
                raise GrammarError("a quoted argument must be followed by a space")
        text = "".join(key)
        yield (text, None) if value is None else (text, "".join(value))


def parse_message(line: str) -> Message | None:
    """Parse one line; ``None`` for a line that is not a TraX message (program output).

    Raises :class:`GrammarError` for a TraX line that breaks the grammar (libtrax then
    skips it; a client or server built on it waits for the next message).
    """
    line = line.rstrip("\n")
    if not line.startswith(PREFIX):
        return None
    body = line[len(PREFIX):]
    name_end = 0
    while name_end < len(body) and body[name_end].isascii() and body[name_end].isalnum():
        name_end += 1
    name = body[:name_end].lower()
    name = _ALIASES.get(name, name)
    if name not in MESSAGES or (name_end < len(body) and body[name_end] != " "):
        return None
    message = Message(name)
    for text, value in _tokens(body[name_end + 1:]):
        if value is None:
            message.arguments.append(text)
        else:
            message.properties[text] = value
    return message


def format_list(items: Iterable[str], known: tuple[str, ...]) -> str:
    """A ``hello`` format list as libtrax writes it: known order, each item then ``;``."""
    chosen = set(items)
    unknown = chosen - set(known)
    if unknown:
        raise ValueError(f"unknown TraX format {sorted(unknown)} (known: {', '.join(known)})")
    return "".join(f"{item};" for item in known if item in chosen)


def parse_list(text: str | None, known: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    """A ``hello`` format list (``;``- or space-separated); ``default`` when absent or
    empty. Unknown names raise :class:`GrammarError` (libtrax rejects them too)."""
    if text is None:
        return default
    items = [item for item in text.replace(" ", ";").split(";") if item]
    unknown = [item for item in items if item not in known]
    if unknown:
        raise GrammarError(f"unknown format {', '.join(unknown)} (known: {', '.join(known)})")
    return tuple(item for item in known if item in items) or default


@dataclass(frozen=True)
class ServerInfo:
    """What a server announced in ``hello`` (libtrax ``client_setup``).

    ``version``: ``trax.version`` (1 when absent). ``channels``: read from version 2 on
    (``color`` before, or when empty). ``multiobject``: read from version 4 on.
    ``custom``: every other property not starting with ``trax.``.
    """

    version: int = 1
    regions: tuple[str, ...] = ("rectangle",)
    images: tuple[str, ...] = ("path",)
    channels: tuple[str, ...] = ("color",)
    name: str = ""
    family: str = ""
    description: str = ""
    multiobject: bool = False
    custom: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_hello(cls, message: Message) -> "ServerInfo":
        props = message.properties
        if message.name != "hello":
            raise GrammarError(f"expected 'hello', got {message.name!r}")
        if message.arguments:
            raise GrammarError(f"'hello' takes no positional arguments, got {len(message.arguments)}")
        version = _int(props.get("trax.version"), 1)
        channels = ("color",)
        if version >= 2:
            channels = parse_list(props.get("trax.channels"), CHANNELS, ("color",))
        return cls(
            version=version,
            regions=parse_list(props.get("trax.region"), REGION_FORMATS, ("rectangle",)),
            images=parse_list(props.get("trax.image"), IMAGE_FORMATS, ("path",)),
            channels=channels,
            name=props.get("trax.name", ""),
            family=props.get("trax.family", ""),
            description=props.get("trax.description", ""),
            multiobject=version >= 4 and _int(props.get("trax.multiobject"), 0) != 0,
            custom={k: v for k, v in props.items() if not k.startswith("trax.")},
        )

    def summary(self) -> dict[str, object]:
        """The record ``run.json`` keeps (``trax.name``, ``trax.family``, version, formats)."""
        return {
            "trax.name": self.name, "trax.family": self.family, "trax.description": self.description,
            "trax.version": self.version, "trax.region": list(self.regions), "trax.image": list(self.images),
            "trax.channels": list(self.channels), "trax.multiobject": self.multiobject, "custom": dict(self.custom),
        }


def _int(text: str | None, default: int) -> int:
    """As ``trax_properties_get_int``: the whole value read as a number (``strtod``) and
    truncated to an integer; ``default`` when absent or not a number."""
    if not text or text[-1].isspace():
        return default
    try:
        return int(float(text))
    except (ValueError, OverflowError):
        return default
