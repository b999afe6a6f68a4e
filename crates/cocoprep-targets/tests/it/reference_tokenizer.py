"""A clean-room run of the reference algorithm of Uni-Perceiver's
`uniperceiver/tokenization/tokenization_clip.py` (spec §1.2) with the real ftfy and regex
packages, plus the parity corpus. Usage: python reference_tokenizer.py BPE.gz [CAPTIONS.json] [NAMES.txt ...]
Prints JSON: [[text, ids], ...]."""
import gzip
import html
import json
import sys

import ftfy
import regex as re


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    return dict(zip(bs, [chr(n) for n in cs]))


def get_pairs(word):
    return set(zip(word, word[1:]))


def basic_clean(text):
    text = ftfy.fix_text(text)
    text = html.unescape(html.unescape(text))
    return text.strip()


def whitespace_clean(text):
    return re.sub(r"\s+", " ", text).strip()


class ClipTokenizer:
    def __init__(self, bpe_path):
        self.byte_encoder = bytes_to_unicode()
        merges = gzip.open(bpe_path).read().decode("utf-8").split("\n")
        merges = [tuple(m.split()) for m in merges[1 : 49152 - 256 - 2 + 1]]
        vocab = list(bytes_to_unicode().values())
        vocab = vocab + [v + "</w>" for v in vocab]
        vocab.extend("".join(m) for m in merges)
        vocab.extend(["<|startoftext|>", "<|endoftext|>", "<|mask|>", "<|gen|>", "<|spe|>"])
        self.encoder = dict(zip(vocab, range(len(vocab))))
        self.bpe_ranks = dict(zip(merges, range(len(merges))))
        self.cache = {s: s for s in ["<|startoftext|>", "<|endoftext|>", "<|gen|>", "<|spe|>"]}
        self.pat = re.compile(
            r"""<\|startoftext\|>|<\|endoftext\|>|<\|gen\|>|<\|spe\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
            re.IGNORECASE,
        )

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + "</w>",)
        pairs = get_pairs(word)
        if not pairs:
            return token + "</w>"
        while True:
            bigram = min(pairs, key=lambda pair: self.bpe_ranks.get(pair, float("inf")))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            new_word = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                    new_word.extend(word[i:j])
                    i = j
                except ValueError:
                    new_word.extend(word[i:])
                    break
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            word = tuple(new_word)
            if len(word) == 1:
                break
            pairs = get_pairs(word)
        word = " ".join(word)
        self.cache[token] = word
        return word

    def encode(self, text):
        bpe_tokens = []
        text = whitespace_clean(basic_clean(text)).lower()
        for token in re.findall(self.pat, text):
            token = "".join(self.byte_encoder[b] for b in token.encode("utf-8"))
            bpe_tokens.extend(self.encoder[t] for t in self.bpe(token).split(" "))
        return bpe_tokens


def corpus(paths):
    texts = []
    for path in paths:
        if path.endswith(".json"):
            with open(path, encoding="utf-8") as f:
                texts.extend(a["caption"] for a in json.load(f)["annotations"])
        else:
            with open(path, encoding="utf-8") as f:
                texts.extend(f.read().splitlines())
    words = [
        "café", "crème brûlée", "naïve", "Ångström", "señor", "Zürich", "façade", "smörgåsbord",
        "Ελληνικά", "русский", "日本語のテキスト", "한국어", "emoji 😀👍🏽", "“quoted” ‘single’", "it’s",
        "em—dash – en", "…ellipsis", "½ ¼ ¾", "™ © ®", "€100", "naïve café", "Œuvre", "Ça va",
    ]
    extra = []
    for w in words:
        extra.append(w)
        raw = w.encode("utf-8")
        extra.append(raw.decode("latin-1"))
        extra.append(raw.decode("windows-1252", errors="replace"))
        extra.append(raw.decode("windows-1252", errors="replace").encode("utf-8").decode("windows-1252", errors="replace"))
        extra.append(f"The {raw.decode('latin-1')} is here")
        extra.append(html.escape(w) + " &amp;amp; " + "".join(f"&#{ord(c)};" for c in w))
        extra.append("".join(f"&#x{ord(c):X};" for c in w))
        extra.append(w.upper())
    extra += [
        "ﬁsh ﬂour ﬀ", "ＬＯＵＤ　ＮＯＩＳＥＳ", "ｈａｌｆ ｶﾀｶﾅ", "&lt;b&gt;bold&lt;/b&gt;", "<b>html &amp; tags</b>",
        "&NTILDE; &EACUTE; &ntilde;", "&amp &lt &gt &quot &copy", "&notit; &ampx", "&#128; &#x80; &#150;",
        "a\u00a0b\u2003c\u3000d", "tab\there\nnewline\r\nwindows", "\x1b[31mred\x1b[0m text", "zero\u200bwidth",
        "bom\ufeffhere", "control\x01\x02chars", "C1 \x80\x93\x94 controls", "e\u0301 combining", "I\u0307 dot",
        "İstanbul", "ΣΊΣΥΦΟΣ", "straße STRASSE", "<|startoftext|>hi<|endoftext|>", "<|mask|> token", "x<|gen|>y",
        "'s 'T 'RE 've 'M 'LL 'D", "don't can't won't", "3.14159 ２０２１ ٣٤", "voilÃ le travail", "â€œquotedâ€\x9d",
        "â€œ like this â€�", "Ã¡ Ã© Ã\xad Ã³ Ãº", "Ã  quelle heure", "âœ” No problems", "&macr;\\_(ã\x83\x84)_/&macr;",
        "Broken text&hellip; it&#x2019;s ﬂubberiﬁc!", "ðŸ˜€ emoji mojibake", "Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "l'Ã©tÃ©", "",
        "   ", "a" * 300, "supercalifragilisticexpialidocious", "\u2028line\u2029para\u0085next",
        "ﾊﾝｶｸ", "Ÿ ÿ", "sÃ³ isso", "mixed Ã© and é", "Ã\xa0 la carte", "CafÃ© crÃ¨me",
    ]
    return texts + extra


def main():
    tokenizer = ClipTokenizer(sys.argv[1])
    out = [[text, tokenizer.encode(text)] for text in corpus(sys.argv[2:])]
    json.dump(out, sys.stdout, ensure_ascii=True)


main()
