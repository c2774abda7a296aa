"""Pinyin keys of Chinese names, so "zhangsan" and "zs" both find 张三."""

from pypinyin import Style, lazy_pinyin


def pinyin_key(name: str) -> str:
    """Full toneless pinyin, lower-case, no separators: 张三 -> zhangsan."""
    return "".join(lazy_pinyin(name, errors="default")).lower().replace(" ", "")


def initials_key(name: str) -> str:
    """First letter of each syllable: 张三 -> zs; non-Chinese words keep their first letter."""
    return "".join(
        syllable[0] for syllable in lazy_pinyin(name, style=Style.NORMAL) if syllable.strip()
    ).lower()
