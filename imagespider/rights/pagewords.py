"""The words pages use for rights, in the languages of the web: reservations ("All rights
reserved", "Alle Rechte vorbehalten", "版权所有"...), photo credits ("Foto:", "Bild:", "写真："...),
the news agencies and stock libraries a credit names, the stock sites whose own license a credit
implies ("Photo by X on Unsplash"), the sentences that grant a license in running text, and those
that limit a site's license to its text. Hand-written: no library holds these lists. Pure: text in,
values out.
"""

from __future__ import annotations

import re

from imagespider.rights.model import PERMISSIONS, License, site_license
from imagespider.rights.parse import all_licenses_in

#: "All rights reserved" and the notices that say the same (reproduction only with permission) in
#: English, German, French, Spanish, Italian, Portuguese, Dutch, Polish, Swedish, Russian, Turkish,
#: Japanese, Chinese and Korean, and a few more.
RESERVED = re.compile(
    r"all\s+rights\s+reserved|alle\s+rechte\s+vorbehalten|tous\s+droits\s+r[ée]serv[ée]s"
    r"|todos\s+los\s+derechos\s+reservados|tutti\s+i\s+diritti\s+riservati|riproduzione\s+riservata"
    r"|todos\s+os\s+direitos\s+reservados|alle\s+rechten\s+voorbehouden|wszelkie\s+prawa\s+zastrze[żz]one"
    r"|alla\s+r[äa]ttigheter\s+f[öo]rbeh[åa]llna|все\s+права\s+защищены|t[üu]m\s+haklar[ıi]\s+sakl[ıi]d[ıi]r"
    r"|derechos\s+reservados|vervielf[äa]ltigung\s+nur\s+mit\s+genehmigung"
    r"|無断(?:転載|複製|転用)|著作権所有|版權所有|版权所有|保留所有权利|保留所有權利"
    r"|(?:转载|轉載)(?:须|須|需)经|未经(?:书面)?(?:许可|授权)|未經(?:書面)?(?:許可|授權)"
    r"|모든\s*권리\s*보유|무단\s*전재|무단\s*복제",
    re.IGNORECASE,
)

#: A copyright line: "©", "(c)", "Copyright", "Copr." and their translations.
COPYRIGHT = re.compile(
    r"©|&copy;|\(c\)\s*\d{4}|\bcopyright\s*(?:©|\(c\)|\d{4}|by\b|:)|\bcopr\.\s*\d{4}", re.IGNORECASE
)

#: The words a credit for a picture opens with, in many languages ("Photo: X", "Bild: X").
CREDIT_WORDS = (
    r"photos?|images?|pictures?|photo\s+credits?|image\s+credits?|picture\s+credits?|credits?|photographs?"
    r"|cr[ée]dits?\s+photos?|cr[ée]dits?|fotos?|bilder?|titelbild|beeld|afbeelding|imagen|im[áa]genes|fotograf[íi]a"
    r"|immagin[ei]|foto\s+di|imagem|zdj[eę]cie|fot\.|bild|фото|изображение|источник|fotoğraf|görsel"
    r"|写真|画像|出典|图片|圖片|照片|图像|来源|來源|사진|이미지|출처"
)
CREDIT_LINE = re.compile(rf"(?:^|[\s(\[|/])(?:{CREDIT_WORDS})\s*(?:by|von|de|di|par|por|door|от)?\s*[:：]\s*\S", re.I)
#: A caption ending in its photographer's name in capitals after a slash, as Spanish and
#: Portuguese papers write it ("Sala de espera de un ambulatorio. / GORKA LEJARCEGI").
CAPTION_TAIL = re.compile(r"\s/\s+[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ.'\- ]{2,60}(?:\s*\([^()]{2,40}\))?$")
CREDIT_BY = re.compile(r"\b(?:photo(?:graph)?|image|picture)\s+(?:by|courtesy\s+of)\s+\S", re.IGNORECASE)

#: News agencies, picture agencies and stock libraries whose credit means the picture is theirs
#: (licensed to the publisher, never to the reader). Short acronyms match only in capitals.
#: Acronyms count only where a credit puts them: after "/", "(", "©", ":" or "Foto", before "/",
#: ")", "Photo" or the end ("AP Photo/Ted S. Warren", "Foto: dpa", "(EPA)"): "AP Biology" is no credit.
_ACRONYMS = (
    r"AP|AFP|EPA|ANSA|dpa|DPA|ANP|APA|AAP|EFE|TASS|KNA|epd|AA|PA|SIPA|Sipa|ABACA|ZUMA|KCNA|UPI|IANS|PTI|MTI|CTK|ČTK"
    r"|NTB|TT|Xinhua|Kyodo|Jiji|Yonhap|Reuters|REUTERS|Belga|BELGA|Keystone|KEYSTONE|Ritzau|Scanpix|Lehtikuva"
)
AGENCIES_CASED = re.compile(
    rf"(?:[/(©:]|\b(?i:foto|photo|bild))\s*(?:{_ACRONYMS})\b"
    rf"|\b(?:{_ACRONYMS})(?=\s*(?:[/)]|(?i:photo|foto|images?)\b|$))"
    r"|\b(?:Reuters|REUTERS|Xinhua|Kyodo|Yonhap|Keystone|KEYSTONE|Belga|BELGA)\b"
)
AGENCIES = re.compile(
    r"getty\s*images|shutterstock|alamy|istock(?:photo)?|imago(?:\s+images)?|picture[-\s]?alliance|sipa\s+press"
    r"|associated\s+press|agence\s+france[-\s]presse|bloomberg|corbis|depositphotos|dreamstime|123rf|fotolia"
    r"|adobe\s*stock|bigstock|stocksy|masterfile|science\s+photo\s+library|mauritius\s+images|ullstein\s*bild"
    r"|zuma\s*(?:press|wire)|westend61|panthermedia|colourbox|pro\s+shots|hollandse\s+hoogte|anadolu|europa\s+press|agencia\s+uno"
    r"|folhapress|estad[ãa]o\s+conte[úu]do|ria\s+novosti|sputnik|nurphoto|sopa\s+images|gamma[-\s]rapho"
    r"|hans\s+lucas|bestimage|starface|laif|action\s+press|eibner|sven\s+simon|contrasto|lapresse|fotogramma"
    r"|agf\b|newscom|press\s+association|the\s+canadian\s+press|kyodo\s+news|aflo|amanaimages|pixta|visualchina"
    r"|视觉中国|东方IC|ic\s+photo|imaginechina|tuchong|图虫|게티이미지|연합뉴스|뉴시스|ТАСС|РИА\s+Новости",
    re.IGNORECASE,
)

#: Stock sites whose own license a credit implies: "Photo by X on Unsplash", "Bild von X auf
#: Pixabay", "Foto de X en Pexels", a link to the site's photo or user page.
SITE_NAMES = {"unsplash": "unsplash", "pexels": "pexels", "pixabay": "pixabay"}
SITE_CREDIT = re.compile(
    r"(?:\b(?:on|via|from|auf|von|bei|über|sur|de|en|da|di|su|em|no|op|van|na|z|från|på|с|на|から)\s+|[/|@(]\s*)"
    r"(?P<site>unsplash|pexels|pixabay)\b"
    r"|\b(?P<named>unsplash|pexels|pixabay)[\s-]+(?:licen[cs]e|lizenz|licen[cs]ia|licen[çc]a|licenza|licentie)",
    re.IGNORECASE,
)
SITE_LINK = re.compile(
    r"^(?:https?:)?//(?:www\.)?(?P<site>unsplash|pexels|pixabay)\.com/(?:@|photos?/|users/|(?:[a-z]{2}/)?photo/|license)",
    re.IGNORECASE,
)

#: Words that mean text in the languages above: a page-wide license whose sentence names only
#: these covers the site's text, never its pictures.
TEXT_WORDS = re.compile(
    r"\b(?:text|texts|textuellen?|texte|textes|textinhalte|texto|textos|testo|testi|tekst|teksten|teksty|texter"
    r"|текст\w*|metin\w*|articles?|artikel|article|art[íi]culos?|articoli|artigos?|written\s+content)\b"
    r"|文章|本文|テキスト|文字|评论|評論|텍스트|글",
    re.IGNORECASE,
)
#: Words that mean pictures: a sentence that names them covers the images.
IMAGE_WORDS = re.compile(
    r"\b(?:photos?|photographs?|images?|pictures?|illustrations?|graphics?|media|bilder?|fotos?|grafiken?"
    r"|imagen(?:es)?|immagin[ei]|imagens?|beeld(?:en)?|afbeeldingen?|zdj[eę]cia?|obrazy?|bilderna"
    r"|фото\w*|изображени\w*|fotoğraf\w*|görsel\w*|resim\w*)\b"
    r"|写真|画像|图片|圖片|照片|图像|圖像|사진|이미지|圖文|图文",
    re.IGNORECASE,
)
#: Words that may start a license statement in running text (a cheap first test per text node).
LICENSE_WORDS = re.compile(
    r"licen[cs]|lizenz|creative\s+commons|public\s+domain|domaine\s+public|dominio\s+p|gemeinfrei|\bcc[\s-]?(?:by|0)\b"
    r"|pubblico\s+dominio|dom[íi]nio\s+p|лицензи|ライセンス|许可|授權|라이선스",
    re.IGNORECASE,
)
#: A sentence that grants a license: "licensed under", "distributed under the terms of", "steht unter",
#: "is in the public domain"... Running text that only names a license ("read about CC BY") grants none.
GRANT = re.compile(
    r"licen[cs]ed\s+under|distributed\s+under|available\s+under|released\s+under|published\s+under"
    r"|under\s+(?:a|the)\s+(?:creative\s+commons|cc)|(?:is|are)\s+(?:in\s+the\s+)?public\s+domain"
    r"|considered\s+public\s+domain|public\s+domain\s+(?:mark|dedication)|unter\s+(?:der|einer)\s+\S*\s*lizenz"
    r"|stehen\s+unter|steht\s+unter|lizenz\s*:|licen[cs]e\s*:|licence\s*:|sous\s+licence|bajo\s+(?:la\s+)?licencia"
    r"|sob\s+(?:a\s+)?licen[çc]a|con\s+licenza|sotto\s+licenza|onder\s+(?:de\s+)?licentie|na\s+licencji"
    r"|под\s+лицензией|lisansı\s+ile|ライセンス|许可协议|授權條款|许可证|라이선스|dominio\s+p[úu]blico"
    r"|domaine\s+public|pubblico\s+dominio|dom[íi]nio\s+p[úu]blico|gemeinfrei|©\s*cc\b",
    re.IGNORECASE,
)


#: A sentence about this very work ("This article is licensed", "Die Bilder in diesem Blog",
#: "cette photo", "本文"): a long paragraph that grants a license must say what it licenses.
SELF_REFERENCE = re.compile(
    r"\b(?:this|these)\s+(?:\S+\s+){0,3}?(?:article|work|image|photo|photograph|picture|content|post|page|figure"
    r"|blog|site|website|material|paper|story|item|video)s?\b"
    r"|\b(?:diese[rsmn]?|in\s+diesem)\s+(?:\S+\s+){0,2}?(?:Text|Beitrag|Artikel|Bild|Bilder|Foto|Fotos|Inhalte?|Werk"
    r"|Blog|Seite|Website)\b|\bcet(?:te)?\s+(?:article|image|photo|œuvre|contenu|page)\b"
    r"|\best[ea]\s+(?:art[íi]culo|artigo|contenido|conte[úu]do|obra|imagen|imagem|foto|p[áa]gina)\b"
    r"|\bquest[oa]\s+(?:articolo|contenuto|opera|immagine|foto)\b|\bdeze?\s+(?:artikel|foto|afbeelding|inhoud|werk)\b"
    r"|本文|本作品|本站|この(?:記事|写真|画像|作品)|이\s*(?:기사|사진|저작물)",
    re.IGNORECASE,
)
#: A licence line short enough to be about nothing but the page ("LICENSED UNDER CC BY NC ND").
SHORT_LINE = 200


def grants_itself(text: str) -> bool:
    """Running text that grants a license to the work it stands in: a short licence line, or a
    sentence that says what it licenses ("This is an open-access article distributed under ...");
    a paragraph that mentions another work's license ("Wikipedia's text is licensed under ...")
    grants none here."""
    return grants(text) and (len(text) < SHORT_LINE or bool(SELF_REFERENCE.search(text)))


def reserves(text: str) -> bool:
    """The text reserves all rights (in any of the languages above)."""
    return bool(RESERVED.search(text or ""))


def is_credit(text: str) -> bool:
    """The text is a credit for a picture: it opens with a credit word ("Foto: X"), says
    "photo by X", or names a picture agency or stock library."""
    value = text or ""
    return bool(
        CREDIT_LINE.search(value) or CREDIT_BY.search(value) or CAPTION_TAIL.search(value) or names_agency(value)
    )


def names_agency(text: str) -> bool:
    return bool(AGENCIES.search(text or "") or AGENCIES_CASED.search(text or ""))


def site_license_in(text: str, hrefs: list[str] | tuple[str, ...] = ()) -> License | None:
    """The stock site's own license a credit implies ("Photo by X on Unsplash", a credit badge
    linking the photographer's Unsplash page), or None."""
    match = SITE_CREDIT.search(text or "")
    if match:
        return site_license((match.group("site") or match.group("named")).lower(), "page")
    for href in hrefs:
        link = SITE_LINK.match((href or "").strip())
        if link:
            return site_license(link.group("site").lower(), "page")
    return None


def credit_holder(text: str) -> str | None:
    """Who a credit line names: the text after its credit word ("Foto: LA NACION" -> "LA NACION"),
    after "©", or the whole credit, trimmed."""
    value = " ".join((text or "").split())
    # A caption ending in its credit: "... in Olympia. (AP Photo/Ted S. Warren)", "... / GORKA LEJARCEGI".
    tail = re.search(r"\(([^()]{2,120})\)\s*$", value) or re.search(r"\s/\s+([^/]{2,80})$", value)
    credit = tail and (names_agency(tail.group(1)) or COPYRIGHT.search(tail.group(1)) or is_credit(tail.group(1)))
    if tail and (credit or CAPTION_TAIL.search(value)):
        inner = tail.group(1).strip()
        opening = CREDIT_LINE.match(inner)
        return inner[opening.end() - 1 :].strip() if opening else inner
    for pattern in (CREDIT_LINE, COPYRIGHT, CREDIT_BY):
        match = pattern.search(value)
        if match:
            rest = value[match.end() - 1 :] if pattern is not COPYRIGHT else value[match.end() :]
            rest = rest.strip(" :：)(]|/-")
            rest = re.sub(r"^(?:©|\(c\)|copyright)\s*", "", rest, flags=re.IGNORECASE).strip(" :：)(]")
            return rest[:120] or None
    return value.strip(" ()")[:120] or None


def covers_text_only(sentence: str) -> bool:
    """A page-wide license sentence that names text (in any language) and no pictures: it covers
    the site's text, never an image."""
    first = re.split(r"[;.。]\s", sentence or "", maxsplit=1)[0]
    return bool(TEXT_WORDS.search(first)) and not IMAGE_WORDS.search(first)


def grants(text: str) -> bool:
    """Running text that grants a license (not merely names one)."""
    return bool(GRANT.search(text or ""))


def at_most_as_permissive(a: License, b: License) -> bool:
    """``a`` allows nothing ``b`` does not and keeps every obligation ``b`` has."""
    pa, pb = PERMISSIONS[a.id], PERMISSIONS[b.id]
    if not any(getattr(pa, name) for name in ("share", "commercial", "modify")):
        return True  # grants nothing: its obligations are moot
    for name in ("share", "commercial", "modify"):
        if getattr(pa, name) is True and getattr(pb, name) is not True:
            return False
    duties = ("attribution", "share_alike")
    return all(not (getattr(pb, name) is True and getattr(pa, name) is not True) for name in duties)


def most_restrictive(licenses: list[License]) -> License | None:
    """The license that allows no more than any other, or None when they cannot be ordered (a
    stock site's license allows commercial use and forbids sharing; CC BY-NC the reverse)."""
    for lic in licenses:
        if all(at_most_as_permissive(lic, other) for other in licenses):
            return lic
    return None


def licenses_in(text: str) -> list[License]:
    """Every license a text names, in order (a montage credited "CC0 ... und ... CC BY 4.0")."""
    return all_licenses_in(text or "", "page")
