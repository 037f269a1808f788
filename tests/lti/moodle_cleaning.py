"""What Moodle does to a deep-linked resource before it launches it again, replayed in Python.

The path a content item's ``custom`` map and ``title`` take in Moodle (``moodle/moodle``):

1. ``mod/lti/locallib.php`` ``lti_tool_configuration_from_content_item`` (4.4+:
   ``core_ltix`` helper): ``$config->instructorcustomparameters = params_to_string($item->custom)``,
   i.e. ``"{$key}={$value}"`` lines joined with ``"\\n"``; ``$config->name = $item->title``.
2. ``mod/lti/mod_form.php``: both fields are form fields of type ``PARAM_TEXT``, so on save
   ``clean_param`` runs ``lib/classes/param.php`` ``clean_param_value_text``: ``fix_utf8``
   (``lib/moodlelib.php``: drops NUL, U+FFFE, U+FFFF and invalid UTF-8), then PHP's
   ``strip_tags`` (keeping ``<lang>``/``<span>`` multilang tags only when the value uses them).
3. At launch, ``lti_split_custom_parameters``: lines split on CR/LF, each at its first
   ``=``, key and value ``trim``-med; ``lti_parse_custom_parameter`` drops a leading
   backslash and substitutes ``$Variable`` values; keys are mapped by ``lti_map_keyname``.

PHP's ``strip_tags`` is ported from ``ext/standard/string.c`` (``php_strip_tags_ex``): a
``<`` followed by whitespace is text; any other ``<`` opens a tag that swallows everything
up to its ``>`` (or to the end of the string), quotes inside a tag hide ``>``, ``<!--``
opens a comment, ``<?`` a processing instruction.
"""

from __future__ import annotations

import re

PHP_SPACE = " \t\n\r\v\f"
PHP_TRIM = " \t\n\r\0\x0b"


def fix_utf8(value: str) -> str:
    """``lib/moodlelib.php`` fix_utf8 on a Python str (already valid Unicode): the characters it drops."""
    return value.replace("\0", "").replace("\ufffe", "").replace("\uffff", "")


def _tag_allowed(tag: str, allowed: str) -> bool:
    """``php_tag_find``: ``<Name attr>`` or ``</name>`` normalised to ``<name>``, looked up in ``allowed``."""
    body = tag[1:].lstrip("/").lstrip()
    name = re.match(r"[^\s>/]*", body).group(0).lower()
    return f"<{name}>" in allowed


def strip_tags(text: str, allowed: str = "") -> str:
    """PHP ``strip_tags($text, $allowed)`` (states 0 text, 1 tag, 2 ``<?``, 3 ``<!``, 4 comment)."""
    out: list[str] = []
    tag: list[str] = []
    state = depth = 0
    in_q = ""
    lc = ""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        prev = text[i - 1] if i else ""
        if ch == "\0":
            pass
        elif state == 0:
            if ch == "<" and not in_q:
                if nxt and nxt in PHP_SPACE:
                    out.append(ch)
                else:
                    state, lc, tag = 1, "<", ["<"]
            elif ch == ">" and depth:
                depth -= 1
            elif ch == ">" and in_q:
                pass
            else:
                out.append(ch)
        elif state == 1:
            if ch == "<" and not in_q:
                if nxt and nxt in PHP_SPACE:
                    tag.append(ch)
                else:
                    depth += 1
            elif ch == ">" and depth:
                depth -= 1
            elif ch == ">" and not in_q:
                tag.append(">")
                if allowed and _tag_allowed("".join(tag), allowed):
                    out.append("".join(tag))
                state, in_q, lc, tag = 0, "", ">", []
            elif ch in "\"'":
                if i and (not in_q or ch == in_q):
                    in_q = "" if in_q else ch
                tag.append(ch)
            elif ch == "!" and prev == "<":
                state, lc = 3, ch
            elif ch == "?" and prev == "<":
                state = 2
            elif ch != ">":
                tag.append(ch)
        elif state == 2:  # <? ... ?>
            if ch == ">" and prev == "?" and lc != '"':
                state, in_q = 0, ""
            elif ch in "\"'":
                lc = "" if lc == ch else ch
        elif state == 3:  # <! ... >
            if ch == ">" and depth:
                depth -= 1
            elif ch == ">" and not in_q:
                state, in_q = 0, ""
            elif ch in "\"'":
                if not in_q or ch == in_q:
                    in_q = "" if in_q else ch
            elif ch == "-" and prev == "-" and i >= 2 and text[i - 2] == "!":
                state = 4
        elif state == 4:  # <!-- ... -->
            if ch == ">" and prev == "-" and i >= 2 and text[i - 2] == "-":
                state, in_q = 0, ""
        i += 1
    return "".join(out)


def clean_param_text(value: str) -> str:
    """``lib/classes/param.php`` clean_param_value_text (PARAM_TEXT)."""
    value = fix_utf8(value)
    for closing, keep, pattern in (("</lang>", "<lang>", r'^<lang lang="[a-zA-Z0-9_-]+"\s*>$'),
                                   ("</span>", "<span>", r'^<span(\s+lang="[a-zA-Z0-9_-]+"|\s+class="multilang"){2}\s*>$')):
        if closing not in value:
            continue
        value = strip_tags(value, keep)
        matches = re.findall(r"<.*?>", value, re.S)
        if not matches:
            break
        open_ = False
        for match in matches:
            if match == closing:
                if not open_:
                    return strip_tags(value)
                open_ = False
            elif not re.match(pattern, match):
                return strip_tags(value)
            else:
                open_ = True
        if open_:
            break
        return value
    return strip_tags(value)


def params_to_string(custom: dict) -> str:
    """``mod/lti/locallib.php`` params_to_string: one ``key=value`` line per parameter."""
    return "\n".join(f"{key}={value}" for key, value in custom.items())


def map_keyname(key: str) -> str:
    """``lti_map_keyname``: lower case, every character but a-z and 0-9 becomes ``_``."""
    return "".join(ch if ("a" <= ch <= "z" or "0" <= ch <= "9") else "_" for ch in key.strip().lower())


def split_custom_parameters(stored: str) -> dict[str, str]:
    """``lti_split_custom_parameters`` + ``lti_parse_custom_parameter`` (no ``$`` variable is ours to resolve)."""
    stored = stored.replace("\r\n", "\n").replace("\n\r", "\n").replace("\r", "\n")
    custom: dict[str, str] = {}
    for line in stored.split("\n"):
        position = line.find("=")
        if position < 1:
            continue
        key, value = line[:position].strip(PHP_TRIM), line[position + 1:].strip(PHP_TRIM)
        if value.startswith("\\"):
            value = value[1:]
        custom[map_keyname(key)] = value
    return custom


def relaunch_custom(custom: dict) -> dict[str, str]:
    """The custom claim Moodle sends when the deep-linked activity is launched."""
    return split_custom_parameters(clean_param_text(params_to_string(custom)))


def activity_name(title: str) -> str:
    """The Moodle activity's name made from the content item's title (``name`` is PARAM_TEXT too)."""
    return clean_param_text(title)
