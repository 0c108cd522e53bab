"""Which lines of a document are page furniture: site chrome around the content, not content.

Web pages saved as text carry banners, breadcrumbs, 「印刷用」, 「このページのトップへ戻る」,
share buttons, bylines, bare dates, hashtags, URLs, embedded tweets, navigation lists,
copyright lines, contact and survey blocks. Quoting them as an answer is wrong, and they
blur retrieval. They are *marked*, never removed: the stored text stays exactly as read, so
every offset into it still holds, and a mark is a ``[start, end)`` range of whole lines.

Rules look at one line at a time (matched on NFKC, lower-cased text, never on what is
stored), then at blocks a heading opens (「お問い合わせ先」, 「バックナンバー」, 「アンケート」)
and at the short lines above a breadcrumb. They are deliberately narrow: a mark hides a line
from answers, so a false mark that hides content costs more than a missed banner. Prose
(encyclopedia paragraphs, short real sentences, section headings) matches none of them.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kotae.ingest.dates import DATE_MENTION
from kotae.ingest.text import nfkc

Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Line:
    """One line of the text: ``[start, end)`` without its newline, and its matching key."""

    start: int
    end: int
    key: str  # NFKC, lower-cased, stripped: for matching only

    @property
    def blank(self) -> bool:
        return not self.key


@dataclass(frozen=True)
class Mark:
    """A furniture line and why it was marked (shown by ``kotae show``)."""

    start: int
    end: int
    kind: str


# --- vocabulary ------------------------------------------------------------------------

_NAV_LINES = set(
    """
    このページのトップへ このページのトップへ戻る このページの先頭へ このページの先頭へ戻る
    このページの上へ このページの上へ戻る ページの先頭へ ページの先頭へ戻る ページのトップへ
    ページのトップへ戻る ページトップへ ページトップへ戻る ページ上部へ ページ上部へ戻る
    ページの上部へ ページの上部へ戻る 先頭へ 先頭へ戻る トップへ トップへ戻る top page-top
    pagetop 目次 目次へ 目次へ戻る 目次に戻る 一覧へ 一覧に戻る 一覧へ戻る 記事一覧 記事一覧へ
    前のページへ戻る 前のページに戻る 前のページ 次のページ 戻る 前へ 次へ ホーム ホームへ
    ホームへ戻る トップページ トップページへ トップページへ戻る トップページに戻る home
    本文へ 本文へスキップ 本文へ移動 本文へジャンプ 本文ここから 本文ここまで ここから本文です
    ここまで本文です メニューへ メニューへスキップ メインメニューへ ナビゲーションへ
    ナビゲーションに移動 検索に移動 サイト内検索 検索 search 閉じる メニュー menu 文字サイズ
    文字の大きさ 文字サイズ変更 背景色 背景色変更 色合い 拡大 縮小 標準 english
    foreign language languages 音声読み上げ 読み上げ ふりがな ふりがなをつける やさしい日本語
    サイトマップ sitemap サイトポリシー プライバシーポリシー 個人情報保護方針 個人情報の取り扱い
    個人情報の取扱い ウェブアクセシビリティ アクセシビリティ ウェブアクセシビリティ方針
    アクセシビリティ方針 リンク集 リンクについて 著作権 著作権について 免責事項 利用規約
    このサイトについて サイトの使い方 サイトの利用について ご利用にあたって 印刷用 印刷用ページ
    印刷用ページを表示する 印刷 印刷する このページを印刷する 印刷用pdf 印刷用(pdf) print
    広告 pr 広告掲載 広告について 関連広告 スポンサーリンク advertisement sponsored ログイン
    login 新規登録 会員登録 詳しくはこちら 詳細はこちら もっと見る 続きを読む 続きを見る
    read more more 一覧を見る もっと読む ツイート tweet シェア share いいね いいね! ブックマーク
    はてなブックマーク はてブ pocket lineで送る ラインで送る lineで共有 lineに送る ライン登録
    line登録 友だち追加 フォロー follow facebook twitter x instagram youtube rss line
    メールで送る メールで共有 ポスト post pin it (了) 以上 -以上-
    出典:フリー百科事典『ウィキペディア(wikipedia)』
    """.split()
)
_NAV_TOKENS = {t for t in _NAV_LINES if len(t) <= 12}
_TOKEN_SPLIT = re.compile(r"[\s|｜/／・,、]+")
_DECORATION = " \t\u3000■□◆◇●○◎▲△▼▽▶▷►≫»>›<‹«≪・*※【】[]〔〕〈〉<>|｜→←↑↓^"

_BANNER = re.compile(r"^.{1,40}(トップページ|ホーム|トップ|ホームページ)(へ|に)(戻る)?$")
_BACK = re.compile(r"^.{0,30}(一覧|目次|バックナンバー)(へ|に)(戻る)$")
_PAGE_ID = re.compile(
    r"^(ページ番号|ページid|記事番号|記事id|faq番号|faqid|faq id|質問番号|id)\s*[:：]?\s*[\w-]+$"
)
_ADOBE = re.compile(r"adobe\s*(acrobat\s*)?reader|pdf(ファイル|形式のファイル)?を(ご覧|閲覧|見る)")
_COPYRIGHT = re.compile(r"copyright|©|all rights reserved|無断転載|無断複製|\(c\)\s*\d{4}")
_PROMO = re.compile(r"(メルマガ|メールマガジン|ご感想|ご意見・ご感想|ご意見ご感想)")
_PROMO_CALL = re.compile(r"(こちら|お待ちしてい|お寄せください|登録)")
_BYLINE_LABEL = re.compile(
    r"^(文|写真|取材|執筆|著者|記者|筆者|編集|監修|文・写真|取材・文|text|photo|written by|by)"
    r"\s*[:：/／]\s*\S"
)
_ORG = re.compile(
    r"^[^\s。、]{1,16}(省|庁|局|課|部|室|係|班|センター|事務所|本部|委員会|新聞社?|通信社?|"
    r"ニュース|編集部|放送|報道部|広報課)$"
)
_URL = re.compile(r"(https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+")
_URL_LABEL = re.compile(r"^(url|link|source|出典|リンク|参照|引用元|引用)?\s*[:：]?\s*$")
_FILE = re.compile(r"^[\w\-.()]+\.(jpe?g|png|gif|webp|svg|bmp|tiff?|pdf)$")
_TWEET_BY = re.compile(r"^[—―–\-]{1,2}\s*\S.{0,60}\(@\w{1,15}\)")
_TWEET_TEXT = re.compile(r"https?://t\.co/|pic\.twitter\.com/|#\S")
_HASHTAG_LINE = re.compile(r"^#[^\s#]")

_DATE_LABEL = re.compile(
    r"(最終)?(更新|掲載|公開|作成|登録|発行|投稿|配信|発表|公表|改訂|修正|記事公開)(日時|日)?"
    r"|日付|現在|時点|版|号|vol\.?\s*\d+|no\.?\s*\d+|第\d+号"
    r"|updated|update|published|posted|last modified|modified"
)
_DATE_FILL = re.compile(
    r"\d{1,2}:\d{2}(:\d{2})?|\d{1,2}時(\d{1,2}分)?|[(][月火水木金土日](曜日?)?[)]|on"
    r"|[\s:：|/・,，、()\[\]【】\-–—~〜]"
)

_BREADCRUMB_SEP = re.compile(r"\s*(?:>|›|»|≫|\s/\s)\s*")
_BREADCRUMB_PREFIX = re.compile(
    r"^(現在の位置|現在位置|現在地|現在のページ|you are here)\s*[:：]?\s*"
)
_HOME = {"ホーム", "トップ", "トップページ", "top", "home"}

_CONTACT_HEAD = re.compile(
    r"^(この(ページ|記事|情報|手続き)に(関する|ついての))?(お?問い?合わ?せ)(先|窓口)?$"
    r"|^.{1,15}に(関する|ついての)お?問い?合わ?せ(先)?$"
    r"|^(担当課|担当部署|所管課|このページの担当|この(ページ|記事)の(担当|作成|掲載)(課|部署|者)?"
    r"|掲載元|発信元|contact|contact us)$"
)
_CONTACT_DETAIL = re.compile(
    r"電話|tel|ファクス|ファックス|fax|メール|mail|〒|所在地|住所|受付|時間|内線|課|係|室|部|"
    r"センター|窓口|フォーム|@|\d{2,4}-\d{2,4}-\d{3,4}"
)
_SURVEY_HEAD = re.compile(
    r"^(この(ページ|記事|情報)に(関する|ついての))?アンケート$|このページ.{0,10}役に?立ち?ましたか"
    r"|^(ご意見|ご感想)をお聞かせください|より(良い|よい)(ウェブサイト|ホームページ|サイト)"
)
_NAV_HEAD = re.compile(
    r"^.{0,20}(バックナンバー|関連記事|関連リンク|関連ページ|関連コンテンツ|関連サイト|おすすめ記事"
    r"|人気記事|人気のページ|アクセスランキング|新着記事|最新記事|注目記事|よく見られているページ"
    r"|このページを見ている人は.{0,20}|(よくある(ご)?質問|faq)(メニュー|一覧|カテゴリー?|トップ)"
    r"|(分類|目的|組織|ライフイベント|キーワード|地図|カテゴリー?)から探す)$"
    r"|^(関連情報|関連する(ページ|記事)|この(カテゴリー?|分類)の(他の)?(ページ|記事|faq|質問)(一覧)?"
    r"|同じ(カテゴリー?|分類)の(ページ|記事|faq|質問)|カテゴリー?|カテゴリー?一覧|サイトメニュー"
    r"|グローバルメニュー|サイドメニュー|フッターメニュー|外部リンク|公式sns"
    r"|related( articles| posts)?|recommended|popular( posts)?|ランキング|新着情報|おすすめ)$"
)
_SENTENCE_END = ("。", ".", "．")
_QUESTION_END = ("?", "？")
_BLOCK_LIMITS = {"contact": (60, 12), "survey": (60, 15), "navigation": (60, 40)}
_TITLE_FALLBACK_KINDS = {"tweet", "hashtag"}
_SHORT = 30
_MENU_KINDS = {"navigation", "share", "breadcrumb", "banner", "header", "markup", "copyright"}


# --- lines -----------------------------------------------------------------------------


def lines_of(text: str) -> list[Line]:
    """Every line with its exact offsets (``\n``, ``\r\n`` and ``\r`` all end one)."""
    lines: list[Line] = []
    for m in _LINE.finditer(text):
        raw = m.group().rstrip("\r\n")
        key = nfkc(raw).strip().lower()
        lines.append(Line(m.start(), m.start() + len(raw), key))
    return lines


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _core(key: str) -> str:
    """The key without decorations (■, 【】, ▲, >) and inner spaces: what a button says."""
    return re.sub(r"\s+", "", key.strip(_DECORATION))


# --- one line at a time ----------------------------------------------------------------


def _date_kind(key: str) -> str | None:
    """``date`` for a labelled date line (「2024年8月9日掲載」, 「更新日：…」), ``plain date``
    for one bare date (furniture only in the head or beside a byline: under 「申請期限」 it
    is the answer), None otherwise (ranges, dates inside prose)."""
    if len(key) > 60:
        return None
    dates = len(DATE_MENTION.findall(key))
    rest = DATE_MENTION.sub("", key)
    if not dates or _DATE_FILL.sub("", _DATE_LABEL.sub("", rest)):
        return None
    if _DATE_LABEL.search(rest):
        return "date"
    return "plain date" if dates == 1 else None


def _is_breadcrumb(key: str) -> bool:
    body = _BREADCRUMB_PREFIX.sub("", key)
    parts = [p.strip(_DECORATION) for p in _BREADCRUMB_SEP.split(body)]
    if len(parts) < 2 or len(key) > 200 or not all(parts):
        return False
    if any(
        len(p) > 30 or p.endswith(_SENTENCE_END) or re.fullmatch(r"[\d.,\s]+", p) for p in parts
    ):
        return False
    return len(parts) >= 3 or parts[0] in _HOME or body != key


def _is_url(key: str) -> bool:
    if not ("http" in key or "www." in key or "@" in key):
        return False
    return bool(_URL.search(key)) and bool(_URL_LABEL.match(_URL.sub("", key)))


def _is_share_row(key: str) -> bool:
    tokens = [t.strip(_DECORATION) for t in _TOKEN_SPLIT.split(key)]
    tokens = [t for t in tokens if t]
    return len(tokens) >= 2 and all(t in _NAV_TOKENS for t in tokens)


def line_kind(key: str) -> str | None:
    """Why one line (its matching key) is furniture on its own, or None."""
    if not key:
        return None
    if len(key) > 200:  # prose: only a run of hashtags is ever this long
        return "hashtag" if _HASHTAG_LINE.match(key) else None
    core = _core(key)
    if core in _NAV_LINES or key in _NAV_LINES:
        return "navigation"
    if _is_share_row(key):
        return "share"
    if _HASHTAG_LINE.match(key):
        return "hashtag"
    if _TWEET_BY.match(key):
        return "tweet"
    if _is_breadcrumb(key):
        return "breadcrumb"
    date = _date_kind(key)
    if date:
        return date
    if _is_url(key) or _FILE.match(key):
        return "url"
    if len(key) <= 150 and _COPYRIGHT.search(key):
        return "copyright"
    if len(core) <= 40 and (_BANNER.match(core) or _BACK.match(core)):
        return "banner"
    if _PAGE_ID.match(key):
        return "page id"
    if len(key) <= 120 and _ADOBE.search(key):
        return "notice"
    if len(key) <= 60 and _PROMO.search(key) and _PROMO_CALL.search(key):
        return "promo"
    if len(key) <= 40 and _BYLINE_LABEL.match(key):
        return "byline"
    return None


def _block_kind(key: str) -> str | None:
    """The block a heading line opens: contact details, a survey, or a list of links."""
    core = _core(key)
    if len(core) > 40:
        return None
    if _CONTACT_HEAD.match(core):
        return "contact"
    if _SURVEY_HEAD.search(core):
        return "survey"
    if _NAV_HEAD.match(core):
        return "navigation"
    return None


# --- the whole text --------------------------------------------------------------------


def _sentence_like(key: str) -> bool:
    return key.endswith(_SENTENCE_END) or len(key) > 60


def _continues(block: str, key: str) -> bool:
    """Whether a line below a block heading still belongs to that block."""
    limit = _BLOCK_LIMITS[block][0]
    if len(key) > limit or key.endswith(_SENTENCE_END):
        return False
    if block == "contact":
        if key.endswith(_QUESTION_END):
            return False
        return bool(_CONTACT_DETAIL.search(key)) or len(key) <= 25
    if block == "survey":
        return not key.endswith(_QUESTION_END) or "ページ" in key or "役に" in key
    return True


def _mark_blocks(lines: Sequence[Line], kinds: list[str | None]) -> None:
    """Extend heading-opened blocks over the short lines that follow them."""
    i = 0
    while i < len(lines):
        block = None if kinds[i] not in (None, "navigation") else _block_kind(lines[i].key)
        if block is None:
            i += 1
            continue
        kinds[i] = block
        taken: list[int] = []
        j = i + 1
        while j < len(lines) and len(taken) < _BLOCK_LIMITS[block][1]:
            line = lines[j]
            if line.blank or kinds[j] is not None:
                j += 1
                continue
            if not _continues(block, line.key):
                break
            taken.append(j)
            j += 1
        if j < len(lines) and not lines[j].blank and taken and block == "navigation":
            # stopped by prose: the last item right above it is that prose's heading
            if all(lines[k].blank for k in range(taken[-1] + 1, j)):
                taken.pop()
        for k in taken:
            kinds[k] = block
        i = max(j, i + 1)


def _neighbours(lines: Sequence[Line], i: int, reach: int = 2) -> list[int]:
    """Indices of the nearest non-blank lines above and below line ``i``."""
    out: list[int] = []
    for step in (-1, 1):
        j, found = i + step, 0
        while 0 <= j < len(lines) and found < reach:
            if not lines[j].blank:
                out.append(j)
                found += 1
            j += step
    return out


def _mark_context(lines: Sequence[Line], kinds: list[str | None]) -> None:
    """Marks that need neighbours: tweet text above its attribution, bylines beside dates,
    plain dates in the head or beside a byline."""
    org = [not line.blank and _is_org(line.key) for line in lines]
    head = set(_head(lines, kinds))
    for i in range(len(lines)):
        if kinds[i] == "plain date":
            beside_org = any(org[j] for j in _neighbours(lines, i, 1))
            kinds[i] = "date" if i in head or beside_org else None
    for i, line in enumerate(lines):
        if kinds[i] is not None or line.blank:
            continue
        below = [j for j in _neighbours(lines, i, 1) if j > i]
        if below and kinds[below[0]] == "tweet" and _TWEET_TEXT.search(line.key):
            kinds[i] = "tweet"
        elif org[i] and any(kinds[j] == "date" for j in _neighbours(lines, i, 2)):
            kinds[i] = "byline"


def _is_org(key: str) -> bool:
    """A short line of organisation names only: 「外務省・防衛省」, 「(外務省国内広報課)」."""
    parts = [t for t in re.split(r"[・、\s/]+", _core(key).strip("()")) if t]
    return len(key) <= 30 and bool(parts) and all(_ORG.match(t) for t in parts)


def _mark_header(lines: Sequence[Line], kinds: list[str | None]) -> None:
    """Short lines above a page's first breadcrumb are site chrome (site name, menus).

    Only when no prose comes before the breadcrumb, and never the page's own title, which
    some sites put first: a line naming the breadcrumb's last item (「下水道使用料について」
    under 「… > 下水道使用料」, 「所得証明書・課税証明書の交付」 under 「… > 税の証明書」).
    """
    first = next((i for i, k in enumerate(kinds) if k == "breadcrumb"), None)
    if first is None:
        return
    above = [i for i in range(first) if not lines[i].blank]
    if any(_sentence_like(lines[i].key) for i in above):
        return
    last_crumb = _crumbs(lines[first].key)[-1]
    for i in above:
        if kinds[i] is None and len(lines[i].key) <= _SHORT:
            if not _names(_core(lines[i].key), last_crumb):
                kinds[i] = "header"


def _names(line: str, crumb: str) -> bool:
    """The line names the breadcrumb item: it shares a run of at least half the item's
    characters (three at least) with it, or is it."""
    if not crumb or line == crumb:
        return line == crumb
    run = difflib.SequenceMatcher(None, line, crumb, autojunk=False).find_longest_match()
    return run.size >= max(3, (len(crumb) + 1) // 2)


def _crumbs(key: str) -> list[str]:
    body = _BREADCRUMB_PREFIX.sub("", key)
    return [re.sub(r"\s+", "", p.strip(_DECORATION)) for p in _BREADCRUMB_SEP.split(body)]


def _mark_sandwiched(lines: Sequence[Line], kinds: list[str | None]) -> None:
    """A run of three or more short link-like lines between menus, buttons or breadcrumbs is
    a menu too (not between dates or contact blocks: short lines there may be content)."""
    content = [i for i, line in enumerate(lines) if not line.blank]
    run: list[int] = []
    for pos, i in enumerate(content + [-1]):
        if (
            i >= 0
            and kinds[i] is None
            and len(lines[i].key) <= 20
            and not _sentence_like(lines[i].key)
        ):
            run.append(i)
            continue
        if len(run) >= 3:
            before = content[pos - len(run) - 1] if pos - len(run) - 1 >= 0 else None
            bounds = (kinds[before] if before is not None else None, kinds[i] if i >= 0 else None)
            if all(k in _MENU_KINDS for k in bounds):
                for k in run:
                    kinds[k] = "navigation"
        run = []


def _kinds(text: str, lines: Sequence[Line], chrome: Spans = ()) -> list[str | None]:
    kinds: list[str | None] = [line_kind(line.key) for line in lines]
    if chrome:
        _mark_markup(text, lines, kinds, chrome)
    _mark_blocks(lines, kinds)
    _mark_context(lines, kinds)
    _mark_header(lines, kinds)
    _mark_sandwiched(lines, kinds)
    _mark_banners(lines, kinds)
    return kinds


def _mark_markup(text: str, lines: Sequence[Line], kinds: list[str | None], chrome: Spans) -> None:
    """Lines whose every character came from page chrome in the HTML (nav, aside, …)."""
    for i, line in enumerate(lines):
        if not line.blank and kinds[i] is None:
            if covered(chrome, line.start, line.end, text) == 1.0:
                kinds[i] = "markup"


def classify(text: str) -> list[Mark]:
    """Every furniture line of ``text`` with its kind, in text order."""
    lines = lines_of(text)
    kinds = _kinds(text, lines)
    return [Mark(ln.start, ln.end, k) for ln, k in zip(lines, kinds, strict=True) if k]


def merge(ranges: Sequence[tuple[int, int]], text: str) -> Spans:
    """Sorted, non-overlapping ranges; ranges separated only by whitespace become one."""
    out: list[list[int]] = []
    for start, end in sorted(ranges):
        if out and (start <= out[-1][1] or not text[out[-1][1] : start].strip()):
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple((s, e) for s, e in out)


def furniture_spans(text: str) -> Spans:
    """Sorted, non-overlapping ``[start, end)`` ranges of the whole lines that are furniture."""
    return merge([(m.start, m.end) for m in classify(text)], text)


def covered(spans: Spans, start: int, end: int, text: str) -> float:
    """Share of the non-space characters of ``text[start:end]`` that lie inside ``spans``."""
    total = _visible(text, start, end)
    if not total:
        return 0.0
    k = max(0, bisect.bisect_right(spans, (start, len(text) + 1)) - 1)
    inside = 0
    while k < len(spans) and spans[k][0] < end:
        lo, hi = max(spans[k][0], start), min(spans[k][1], end)
        if lo < hi:
            inside += _visible(text, lo, hi)
        k += 1
    return inside / total


def _visible(text: str, start: int, end: int) -> int:
    return end - start - sum(1 for ch in text[start:end] if ch.isspace())


def without(text: str, spans: Spans, start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` with furniture replaced by line breaks (for lexical tokens only)."""
    end = len(text) if end is None else end
    parts, cursor = [], start
    for s, e in spans:
        lo, hi = max(s, start), min(e, end)
        if lo < hi:
            parts.append(text[cursor:lo])
            parts.append("\n")
            cursor = hi
    parts.append(text[cursor:end])
    return "".join(parts)


# Marks whose words still locate a passage: the date and author of a report, an embedded
# tweet's headline, hashtags. Left in the lexical index (measured: git show b69ad21:eval/README.md).
SEARCHABLE_KINDS = frozenset({"date", "byline", "tweet", "hashtag"})


def unsearchable(text: str, furniture: Spans) -> Spans:
    """The furniture lines to leave out of lexical search: menus, banners, buttons, blocks."""
    keep = [(m.start, m.end) for m in classify(text) if m.kind in SEARCHABLE_KINDS]
    out = []
    for line in lines_of(text):
        if line.blank or covered(furniture, line.start, line.end, text) < 1:
            continue
        if not any(s <= line.start and line.end <= e for s, e in keep):
            out.append((line.start, line.end))
    return merge(out, text)


# --- across a collection ---------------------------------------------------------------

REPEAT_MIN_DOCS = 3
REPEAT_MIN_SHARE = 0.1
REPEAT_MAX_CHARS = 40


def repeated_lines(texts: Sequence[str]) -> set[str]:
    """Short lines (matching keys) that recur in many documents: a site's template.

    Pages of one site share their header, menus and footer word for word; documents of
    an encyclopedia share no line. Only short lines that are not sentences or questions
    count, and only when at least 3 documents and 10% of the collection hold them.
    """
    seen: dict[str, int] = {}
    for text in texts:
        keys = {ln.key for ln in lines_of(text) if _template_like(ln.key)}
        for key in keys:
            seen[key] = seen.get(key, 0) + 1
    need = max(REPEAT_MIN_DOCS, REPEAT_MIN_SHARE * len(texts))
    return {key for key, n in seen.items() if n >= need}


def _template_like(key: str) -> bool:
    return 0 < len(key) <= REPEAT_MAX_CHARS and not key.endswith(_SENTENCE_END + _QUESTION_END)


def mark_repeated(text: str, furniture: Spans, repeated: set[str]) -> tuple[Spans, str | None]:
    """``furniture`` plus the lines of ``text`` found in ``repeated``, and the headline
    again with them marked (a repeated site name is no title)."""
    extra = [(ln.start, ln.end) for ln in lines_of(text) if ln.key in repeated]
    if not extra:
        return furniture, headline(text)
    return analyse(text, merge(list(furniture) + extra, text))


# --- titles ----------------------------------------------------------------------------

_SITE_SEP = re.compile(r"\s*[|｜]\s*|\s+[-–—:]\s+|\s*::\s*")
_SITE_NAME = re.compile(
    r"(ホームページ|公式サイト|公式ホームページ|公式ウェブサイト|ウェブサイト|webサイト|hp|web)$"
    r"|^[^\s]{1,10}(市|町|村|区|県|府|都|道|省|庁)$|^(nhk|nhkニュース|.{1,15}新聞(デジタル)?)$"
)
_CLEAN = re.compile(r"https?://\S+|#\S+")


def strip_site_name(title: str) -> str:
    """``ページ名 | 外務省`` → ``ページ名``: drop the parts of an HTML title that name the site."""
    parts = [p.strip() for p in _SITE_SEP.split(title) if p.strip()]
    if len(parts) < 2:
        return title.strip()
    kept = [p for p in parts if not _SITE_NAME.search(nfkc(p).lower())]
    return (kept or parts)[0]


def _head(lines: Sequence[Line], kinds: Sequence[str | None]) -> list[int]:
    """Indices of the non-blank lines before the first paragraph of prose (at most 20)."""
    head: list[int] = []
    for i, line in enumerate(lines):
        if line.blank:
            continue
        if len(head) == 20 or (
            kinds[i] is None and _sentence_like(line.key) and len(line.key) > 40
        ):
            break
        head.append(i)
    return head


def _headline_index(lines: Sequence[Line], kinds: Sequence[str | None]) -> int | None:
    """The head line that is the headline: the content line nearest above the date line
    (else nearest below it), else the first content line of the head."""
    head = _head(lines, kinds)
    content = [i for i in head if kinds[i] is None]
    if not content:
        return None
    date = next((i for i in head if kinds[i] == "date"), None)
    if date is not None:
        above = [i for i in content if i < date]
        below = [i for i in content if i > date]
        if above:
            return above[-1]
        if below and below[0] == min(i for i in head if i > date and kinds[i] is None):
            return below[0]
    return content[0]


def _mark_banners(lines: Sequence[Line], kinds: list[str | None]) -> None:
    """Short content-looking lines above the headline (a site or series name) are banners."""
    at = _headline_index(lines, kinds)
    if at is None:
        return
    for i in _head(lines, kinds):
        if i < at and kinds[i] is None and len(lines[i].key) <= _SHORT:
            kinds[i] = "banner"


def pick_title(html_title: str | None, h1: str | None) -> str | None:
    """An HTML page's title: its ``<h1>`` when ``<title>`` agrees (or is absent), else the
    ``<title>`` without the site's name."""
    page = strip_site_name(html_title) if html_title else None
    if h1 and (not page or _same_words(h1, page)):
        return h1[:120]
    return page[:120] if page else None


def _same_words(a: str, b: str) -> bool:
    a, b = (re.sub(r"\s+", "", nfkc(x).lower()) for x in (a, b))
    return bool(a and b) and (a in b or b in a)


def headline(text: str) -> str | None:
    """The document's own headline, not a site name, banner or date."""
    return analyse(text)[1]


def analyse(text: str, chrome: Spans = ()) -> tuple[Spans, str | None]:
    """Furniture spans and headline of ``text`` in one pass (what the reader stores).

    ``chrome``: ranges the HTML markup puts in page chrome; lines wholly inside them are
    furniture too.
    """
    lines = lines_of(text)
    kinds = _kinds(text, lines, chrome)
    spans = merge([(ln.start, ln.end) for ln, k in zip(lines, kinds, strict=True) if k], text)
    return spans, _title(text, lines, kinds)


def _title(text: str, lines: Sequence[Line], kinds: Sequence[str | None]) -> str | None:
    """The headline line; when the head holds only furniture, a tweet's or hashtag's text
    (without its links) stands in; failing that, the first line that is not furniture."""
    at = _headline_index(lines, kinds)
    if at is not None:
        return _readable(text[lines[at].start : lines[at].end])
    for i in _head(lines, kinds):
        if kinds[i] in _TITLE_FALLBACK_KINDS:
            cleaned = _readable(_CLEAN.sub("", text[lines[i].start : lines[i].end]))
            if cleaned:
                return cleaned
    for i, line in enumerate(lines):
        if not line.blank and kinds[i] is None:
            return _readable(text[line.start : line.end])
    return None


def _readable(line: str) -> str | None:
    line = re.sub(r"https?://\S+", "", line).strip().lstrip("#").strip()
    return line[:120] or None
