"""The cues the offline prompt rubric looks for, in English and in French.

Kept apart from :mod:`.prompt_rubric` because this is language data, not logic:
a reviewer fluent in one language can check its table without reading the scoring.
Every pattern is compiled once at import (case-insensitive, Unicode word
boundaries); the rubric then runs one ``finditer`` per pattern over the prompt.

Each criterion has a *strong* pattern (the criterion is clearly met: score 2) and
a *weak* one (present but vague: score 1). Some criteria need a second look in
code (the task's subject, the role's owner, the tone's qualifier): the patterns
expose named groups for that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FLAGS = re.IGNORECASE | re.UNICODE


def _c(pattern: str) -> re.Pattern:
    return re.compile(pattern, _FLAGS)


def _alt(words: str) -> str:
    """Whitespace-separated words as one alternation, longest first; ``_`` stands for a space or a hyphen."""
    escaped = (re.escape(word).replace("_", "[ -]") for word in sorted(words.split(), key=len, reverse=True))
    return "(?:" + "|".join(escaped) + ")"


@dataclass(frozen=True)
class LanguagePatterns:
    lang: str
    stopwords: frozenset[str]
    vague_objects: frozenset[str]
    task: re.Pattern
    task_question: re.Pattern
    context: re.Pattern
    context_facts: re.Pattern
    context_time: re.Pattern
    background_opener: re.Pattern
    not_background: re.Pattern
    background_forward: re.Pattern
    condition: re.Pattern
    request_start: re.Pattern
    task_start: re.Pattern
    task_want: re.Pattern
    instruction_start: re.Pattern
    role: re.Pattern
    role_hint: re.Pattern
    role_as: re.Pattern
    role_generic: frozenset[str]
    audience_strong: re.Pattern
    audience_weak: re.Pattern
    audience_marker: re.Pattern
    format_strong: re.Pattern
    format_weak: re.Pattern
    constraints_strong: re.Pattern
    constraints_weak: re.Pattern
    examples_strong: re.Pattern
    examples_hint: re.Pattern
    examples_quote: re.Pattern
    examples_weak: re.Pattern
    tone_cue: re.Pattern
    tone_adjectives: re.Pattern
    tone_register: re.Pattern
    tone_frame: re.Pattern
    vague: re.Pattern
    short_words: re.Pattern
    long_words: re.Pattern
    formal_words: re.Pattern
    casual_words: re.Pattern
    serious_words: re.Pattern
    funny_words: re.Pattern
    self_subjects: frozenset[str]


# ---------------------------------------------------------------- shared

_QUOTE = r"[\"“«„]\s*([^\"”»\n]{20,}?)\s*[\"”»“]"
_DIGITS = r"\d+(?:[.,]\d+)?"

# ---------------------------------------------------------------- English

_EN_STOP = frozenset(
    """a an the and or but of to in on at for with by from about into over as is are was were be been being
    this that these those it its i me my we us our you your he she they them their his her will would can could
    should shall may might must do does did have has had not no so if then than there here please just also very
    what which who whom whose when where why how all any some each every more most such up out off""".split()
)
_EN_VAGUE_OBJECTS = frozenset(
    "ideas idea something stuff things thing text content help anything some few bit lot good nice interesting cool".split()
)
_EN_TASK_VERBS = _alt(
    """write draft create generate produce prepare summarize summarise analyze analyse suggest propose give
    compose rewrite reword rephrase translate explain compare review check outline plan design build make find
    identify extract classify categorize categorise turn convert edit proofread improve brainstorm recommend
    calculate estimate evaluate assess describe tell answer reply respond formulate structure organize organise
    redact shorten simplify correct fix update adapt tailor roleplay role-play simulate notify inform announce remind
    thank congratulate invite present"""
)
_EN_AUDIENCE_NOUNS = _alt(
    """customers customer clients client suppliers supplier vendors vendor managers manager management board
    executives executive ceo cfo cto coo cio directors director team teams colleagues colleague staff employees
    employee hires newcomers joiners candidates candidate applicants applicant prospects prospect leads partners
    partner investors shareholders stakeholders readers reader users user operators operator technicians
    technician shift auditors auditor committee students beginners non-specialists non-experts non-technical
    experts engineers reps salespeople salesforce recruiters recruiter controller controllers accountants
    accountant buyers buyer members participants attendees followers subscribers community patients parents
    recipients recipient head heads leaders leader leadership supervisors supervisor workers audience
    interns apprentices trainees agency agencies designers press journalists media regulator authorities lawyers volunteers citizens guests visitors tenants residents drivers dispatchers nurses doctors teachers pupils families retirees developers newcomer distributors retailers dealers franchisees owner owners contacts contact
    decision-makers procurement purchasing hr finance marketing sales department holders no-shows attendees registrants
    maintenance quality logistics payroll legal boss shop_floor"""
)
_EN_AUDIENCE_VAGUE = _alt("people everyone everybody anyone anybody public them others someone")
_EN_TONE_ADJ = _alt(
    """formal informal casual friendly warm professional neutral reassuring empathetic empathic playful humorous
    funny light-hearted lighthearted enthusiastic persuasive diplomatic firm polite courteous upbeat positive
    serious factual inclusive respectful conversational energetic calm supportive encouraging assertive kind
    benevolent gentle sober dynamic engaging confident optimistic apologetic sincere authoritative approachable
    candid tactful constructive motivating inspiring cheerful relaxed corporate institutional direct welcoming
    compassionate witty punchy caring honest transparent measured proud humble aggressive pushy cheesy salesy
    condescending tough fun convincing heartfelt educational pedagogical didactic plain_english plain_language plain_words"""
)

EN = LanguagePatterns(
    lang="en",
    stopwords=_EN_STOP,
    vague_objects=_EN_VAGUE_OBJECTS,
    task=_c(
        rf"\b(?:come up with|put together|(?<!a )(?<!the )(?<!numbered )(?<!bulleted )list|{_EN_TASK_VERBS})\b"
        r"|\b(?:i need|i'd like|i would like|i want|can i have|can you give me|we need)\s+(?:an?|the|some|\d+)\b"
    ),
    task_question=_c(r"(?:^|[.!?\n]\s*)(?:(?:what|which|how|why|who|when|where|is there|are there|can|could|should)\b[^.!?\n]{8,}|any (?:advice|ideas|tips|suggestions)[^.!?\n]*)\?"),
    context=_c(
        r"\b(?:we were|we've been|we have been|we are|we're|we have|we've|we had|we launched|we sell|we make|we run|we use|we received|we noticed|"
        r"we plan|we want|we need|we just|we \w+ed|we hire|we recruit|we opened|we open|we organi[sz]e|we prepare|we recently|we lost|we won|i work|i am (?:an?|the|in charge)|i'm (?:an?|the|in charge)|"
        r"(?<!do )(?<!can )(?<!should )(?<!to )(?:i manage|i lead|i run)|i am responsible|i'm responsible|my (?:manager|company|boss|department|client)|"
        r"(?:^|(?<=[.!?\n])|(?<=[.!?\n] ))(?:yesterday|last night|this morning|tonight|last week|earlier today)|"
        r"the (?:goal|aim|purpose|objective|context|situation|background|problem|issue) (?:is|was)|"
        r"because|since (?:the|we|our|last)|as part of|following (?:the|our|a)|"
        r"after (?:the|our|a|last)|currently|last (?:year|quarter|month|week|season)|this (?:year|quarter|month|season)|"
        r"in q[1-4]|due to|in order to|so that|the client (?:is|has|wants|asked)|the customer (?:is|has|wants|asked)|"
        r"they (?:asked|want|have|are|complained)|which means|whereas|"
        r"late|delayed|overdue|unpaid|missing|broke|broken|stopped|failed|complained|cancell?ed|dropped|went (?:up|down)|"
        r"rose|fell|increased|decreased|attracted|worried|struggling|not (?:paid|received|delivered))\b"
    ),
    context_time=_c(
        r"\b(?:(?:on|by|before|until|till|from|since|starting|next|this|last|every|due)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month|quarter|year|season)|"
        r"(?:on|by|before|until|from|since|after)\s+(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\b|"
        r"\d{1,2}(?:st|nd|rd|th)?(?:\s*-\s*\d{1,2})?\s+(?:MONTHS)\b|(?:MONTHS)\s+\d{1,2}\b|in\s+(?:MONTHS)\b|"
        r"(?:tomorrow|tonight|yesterday)(?!'s)|next week|deadline|due (?:on|by|date)|is due|are due|"
        r"(?:we're|we are|is|are)\s+launching|launch(?:es|ed)?\s+(?:on|in|next|this)|go(?:es)? live|starts? (?:on|next|in)|"
        r"(?:arriving|arrives|joins|joining|starting|retiring|leaving)\s+(?:on|in|next|this|monday|tuesday|wednesday|thursday|friday|after)|"
        r"(?:my|our) (?:\\w+ )?team (?:is|has|includes|will|was)|team of \d+|"
        r"(?:they|he|she|it) (?:liked|said|asked|wants|wanted|needs|is worried|are worried|complained|refused|accepted))\b".replace("MONTHS", "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
    ),
    background_opener=_c(
        r"\b(?:context|background|situation|notes?|facts|details|information|info|figures|"
        r"here(?: is|'s| are)|based on|below|following|pasted|how it works|what happened|goal|objective|aim|purpose|problem|issue|why)\b"
    ),
    background_forward=_c(r"\b(?:below|the following|these (?:notes|figures|facts|data)|pasted)\b"),
    condition=_c(r"\b(?:if|unless|whenever|in case)\b"),
    not_background=_c(r"\b(?:examples?|samples?|models?|templates?|format|structure|sections?|columns?|fields|tone|style|layout|outline)\b"),
    task_start=_c(
        rf"\W*(?:(?:then|now|so|and|also|please|pls|plz|ok|okay)\W+)?"
        rf"(?:i (?:have|need|must|want) to |i've got to |we (?:have|need|must) to )?(?:come up with|put together|list|{_EN_TASK_VERBS}|roleplay|role-play|help|turn|summari[sz]e|draft)\b"
    ),
    task_want=_c(r"\b(?:i need|i'd like|i would like|i want|can i have|can you give me|we need)\s+(?:an?|the|some|\d+|you to)\b"),
    request_start=_c(
        r"^\W*(?:can you|could you|would you|will you|please|pls|plz|help me|i need|i'd like|i would like|i want|give me|"
        r"tell me|show me|let's|what|which|how|why|who|when|where|is there|are there|should|any (?:advice|ideas|tips))\b"
    ),
    instruction_start=_c(
        r"^\W*(?:if|unless|when|whenever|in case|otherwise|ask|refer|tell|say|offer|stress|emphasi[sz]e|insist|point out|"
        r"acknowledge|apologi[sz]e|use|keep|make|avoid|include|add|mention|don't|do not|do|be|start|end|finish|stick|base|flag|cite|limit|stay|"
        r"focus|highlight|put|address|sign|open|close|remember|no|never|always|only|tone|format|max|maximum|at most|under|"
        r"subject|sections?|bullet|bullets|numbered|in (?:a|the|bullet)|as (?:a|bullet)|\d+\s+(?:words|bullets|points|lines|slides))\b"
    ),
    context_facts=_c(rf"\b{_DIGITS}\s?(?:%|percent|€|k€|m€|eur|euros?|\$|usd|people|employees|staff|units|tons|tonnes|minutes|days|weeks|months|hours|stores|sites|clients|customers)(?!\w)|[€$£]\s?{_DIGITS}"),
    role=_c(
        r"\b(?:you are|you're|you will be|you'll be|act as|acting as|pretend to be|pretend you are|imagine you are|"
        r"imagine you're|take on the role of|take the role of|play the role of|assume the role of|"
        r"adopt the (?:role|persona|perspective|viewpoint) of|put yourself in the shoes of|your role is|"
        r"(?:role|persona)\s*:)\s+(?P<article>an?|the|my|our|my|one of)?\s*(?P<what>[\w-]+(?:\s+[\w-]+){0,3})"
    ),
    # A word every role phrase contains: a cheap test before the full pattern.
    role_hint=_c(r"\b(?:you|you're|act|acting|pretend|imagine|take|play|assume|adopt|put|role|persona)\b"),
    role_as=_c(r"(?:^|[.!?\n]\s*)as (?:an?|the|our|my) (?P<what>[\w -]{2,60}?),\s*(?P<next>[\w']+)"),
    role_generic=frozenset("assistant ai bot chatbot robot model helpful language gpt chatgpt copilot".split()),
    audience_strong=_c(
        rf"\b(?:for|aimed at|targeting|targeted at|addressed to|intended for|written for|destined for|"
        rf"to be read by|will be read by|read by|audience(?: is)?\s*:?|readers? (?:is|are)|readers?\s*:|recipients?\s*:|"
        rf"(?:email|e-mail|mail|message|letter|note|reply|memo|answer|newsletter|post|presentation|pitch|speech|"
        rf"update|announcement)\s+(?:\w+\s+){{0,2}}to|send (?:it )?to|present(?:ed)? to|explain(?:ed)? to|address(?:ed)? to|"
        rf"(?:present|explain|send|show|pitch)\s+(?:[\w'-]+\s+){{1,4}}?to|reconnect with|follow up with|write to|reply to|respond to|"
        rf"thank|welcome|invite|remind|inform|convince|persuade|"
        rf"to(?= (?:our|my|all|every)))\s+"
        rf"(?:(?:our|the|my|a|an|all|new|your|their|some|each|every|this|these|those|its|non)\s+)*(?:[\w'-]+\s+){{0,3}}?"
        rf"(?P<who>{_EN_AUDIENCE_NOUNS})\b"
    ),
    audience_marker=_c(
        r"\b(?:aimed at|targeting|targeted at|intended for|addressed to|written for|to be read by|will be read by|"
        r"(?:target )?audience\s*(?::|is|are)|readers?\s*(?::|is|are|will be)|recipients?\s*(?::|is|are)|"
        r"for me to (?:read|use|review)|for my own (?:use|preparation)|who will (?:read|receive|use) it)\s+(?P<who>[\w'-]+(?:\s+[\w'-]+){0,4})"
    ),
    audience_weak=_c(rf"\b(?:for|aimed at|targeting|intended for|addressed to|to)\s+(?:the\s+)?(?:general\s+)?{_EN_AUDIENCE_VAGUE}\b|\b(?:target audience|the audience|the readers?)\b"),
    format_strong=_c(
        r"\b(?:tables?|tabular|columns?|rows?|bullet(?:ed)?(?:[- ]points?| list)?|bullets|numbered (?:list|steps|points)|"
        r"(?:as|in) a list|list of \d+|an? (?:short |brief |numbered |bulleted )?list\b|checklist|sections?|headings?|headers?|subheadings?|subject lines?|subject\s*:|fields\s*:|"
        r"json|csv|markdown|yaml|html|xml|timetable|time slots?|timings?|minute-by-minute|"
        r"\d+\s+(?:paragraphs?|bullets?|bullet points|points|sections|parts|columns|slides|steps)|"
        r"(?:one|two|three|four|five|six) (?:short )?(?:paragraphs?|bullets?|bullet points|sections|parts|columns|slides|steps)|"
        r"one (?:line|row|paragraph|slide|bullet) (?:per|for each)|step[- ]by[- ]step|q&a(?! session| meeting)|faq|tl;?dr|in bold|"
        r"template|format\s*:|structure\s*:|structured (?:as|in|into|with)|layout\s*:|greeting|sign-?off|"
        r"call to action|title and|a title|a headline|slides?|agenda items?)\b"
    ),
    format_weak=_c(r"\b(?:structured|well[- ]organi[sz]ed|organi[sz]ed|clear layout|easy to read|easy to scan|readable|scannable|nicely formatted|clear structure|format)\b"),
    constraints_strong=_c(
        r"\b(?:(?:max(?:imum)?|at most|no more than|not more than|under|less than|fewer than|up to|within|limited to|"
        r"limit (?:it |yourself )?to|between|at least|exactly|about|around)\s+\d+|"
        # A length ("300 words", "a 30-minute slot") or a number of things to produce ("5 Instagram captions").
        # Structural units ("3 bullet points", "2 slides") are format; a limit on them ("at most 5") is a constraint.
        r"\d+\s*(?:words?|characters?|chars|sentences?|pages?|tweets?|hashtags?|emojis?)\b|(?<!\bin )\d+\s*(?:minutes?|mins?|seconds?|hours?|days?|weeks?)\b|"
        r"\d+-(?:minute|hour|day|week|month|page|word)\b|"
        r"\d+\s+(?:[\w-]+\s+){0,2}?(?:ideas|options|suggestions|examples|questions|names|titles|slogans|taglines|proposals|variants|"
        r"versions|alternatives|actions|tips|posts|captions|messages|subject lines|arguments|reasons|objections|headlines|items)\b|"
        r"\d+\s*[\w%-]+(?:\s+[\w-]+)?\s+(?:max(?:imum)?|at most|tops)\b|"
        r"one (?:page|paragraph|sentence|line|slide)\b|"
        r"do not|don't|never|(?<!what to )avoid|without|must|mustn't|should not|shouldn't|only (?:use|include|mention|cite|based|from|"
        r"the|with|on)|based (?:only|solely|exclusively) on|using only|stick to|include|including|mention|exclude|leave out|"
        r"(?:(?<=^)|(?<=[,;.:(] )|(?<=\band ))no (?!more than|one\b|longer\b|need\b|problem|doubt|idea\b)[a-z][\w-]{2,}|"
        r"no (?:jargon|emojis?|technical|acronyms?|more than|prices?|names?|figures|invented)|make sure|ensure|be sure to|"
        r"always|not exceed|cite|sources?|(?:end|finish|close|start|open) with|\d+ (?:key )?dates|specifying|stating)\b"
    ),
    constraints_weak=_c(r"\b(?:short|(?<!the )(?<!a )(?<!campaign )(?<!creative )(?<!agency )(?<!our )(?<!this )brief|concise|succinct|not too long|quick|simple|simply|keep it (?:short|simple|brief))\b"),
    examples_strong=_c(
        r"\b(?:here is an? (?:example|sample|model|template)|here's an? (?:example|sample|model)|"
        r"(?:for )?example\s*:|sample\s*:|model\s*:|e\.g\.\s*:|like this\s*:|as follows\s*:|"
        r"(?:use|follow|take) (?:this|the following) (?:example|sample|model|template)|"
        r"(?:an? )?(?:example|sample) of (?:the|a|an|what|our|my) [^.:\n]{0,60}:)"
    ),
    examples_hint=_c(r"\b(?:here|here's|example|sample|model|e\.g|like|follows|template)\b"),
    examples_quote=_c(r"\b(?:example|sample|style|model|template|tone|like)\b[^\"“«\n]{0,60}" + _QUOTE
                      + r"|\bhere(?: is|'s| are)\b(?![^:\n]{0,80}\b(?:notes?|facts|data|figures|information)\b)[^:\n]{0,80}:\s*" + _QUOTE),
    examples_weak=_c(r"\b(?:for example|for instance|e\.g\.|such as|in the (?:same )?style of|like (?:our|my|the one|last)|similar to|inspired by|modell?ed on)\b"),
    tone_cue=_c(r"\b(?:tone|register|voice|style|feel)\b"),
    # What makes an ambiguous adjective ("kind", "confident") a tone: "keep it kind", "sound confident", "warm but not pushy".
    tone_frame=_c(r"\b(?:keep it|make it|be|sound|stay|remain|feel|but not|but|and not|yet)\s+(?:very\s+|more\s+|a bit\s+)?$"),
    tone_adjectives=_c(rf"(?<![\w-]){_EN_TONE_ADJ}(?![\w-])"),
    tone_register=_c(r"\b(?:first[- ]name terms|use (?:first names|\"you\"|'you')|address (?:them|him|her|the reader) (?:formally|informally))\b"),
    vague=_c(r"\b(?:something|stuff|things?|whatever|etc\.?|nice|interesting|cool|a bit|kind of|sort of|some ideas|a few ideas)(?!\w)"),
    short_words=_c(r"\b(?:short|brief|concise|succinct|one[- ]page|one[- ]paragraph|quick)\b"),
    long_words=_c(r"\b(?:detailed|in[- ]depth|exhaustive|comprehensive|thorough|extensive|lengthy)\b"),
    formal_words=_c(r"\b(?:formal|official|institutional)\b"),
    casual_words=_c(r"\b(?:casual|informal|relaxed|laid-back|chatty|familiar)\b"),
    serious_words=_c(r"\b(?:serious|solemn|sober)\b"),
    funny_words=_c(r"\b(?:funny|humorous|jokey|playful|witty)\b"),
    self_subjects=frozenset("i i'm we we're our my".split()),
)


# ---------------------------------------------------------------- French

_FR_STOP = frozenset(
    """le la les l un une des de du d au aux et ou mais en dans sur pour par avec sans sous chez vers que qui quoi
    dont où ce cet cette ces ça cela il elle ils elles on nous vous je j tu te t me m moi toi lui leur leurs se s
    son sa ses mon ma mes ton ta tes notre nos votre vos est sont été être était ai as a avons avez ont fait faire
    ne n pas plus très bien aussi tout tous toute toutes si alors comme merci stp svp peux peut pouvez quel quelle
    quels quelles y""".split()
)
_FR_VAGUE_OBJECTS = frozenset(
    "idées idée chose choses truc trucs machin texte contenu aide quelque quelques peu bien sympa intéressant cool".split()
)
_FR_TASK_VERBS = _alt(
    """rédige rédigez rédiger écris écrivez écrire crée créez créer génère générez générer produis produisez produire
    prépare préparez préparer résume résumez résumer analyse analysez analyser liste listez lister propose proposez
    proposer donne donnez donner compose composez composer reformule reformulez reformuler traduis traduisez traduire
    explique expliquez expliquer compare comparez comparer relis relisez relire vérifie vérifiez vérifier établis
    établissez établir élabore élaborez élaborer conçois concevez concevoir fais faites faire trouve trouvez trouver
    identifie identifiez identifier extrais extrayez extraire classe classez classer transforme transformez transformer
    convertis convertissez convertir corrige corrigez corriger améliore améliorez améliorer recommande recommandez
    recommander calcule calculez calculer estime estimez estimer évalue évaluez évaluer décris décrivez décrire
    réponds répondez répondre formule formulez formuler structure structurez structurer organise organisez organiser
    dresse dressez dresser synthétise synthétisez synthétiser suggère suggérez suggérer imagine imaginez imaginer
    raccourcis raccourcissez raccourcir simplifie simplifiez simplifier adapte adaptez adapter mets mettez mettre
    écris-moi rédige-moi donne-moi propose-moi fais-moi prépare-moi trouve-moi préviens prévenez informe informez
    annonce annoncez rappelle rappelez remercie remerciez félicite félicitez invite invitez relance relancez présente
    présentez"""
)
_FR_AUDIENCE_NOUNS = _alt(
    """clients client clientes clientèle fournisseurs fournisseur managers manager management direction comité codir
    comex dirigeants dirigeant pdg daf drh dg directeur directrice directeurs directrices président présidente équipe équipes collègues collègue collaborateurs collaboratrices
    collaborateur salariés salarié employés employé arrivants arrivant arrivante recrues gestionnaires gestionnaire candidats candidates candidat prospects prospect
    partenaires partenaire investisseurs actionnaires parties lecteurs lecteur lectrices utilisateurs utilisateur
    opérateurs opératrices opérateur techniciens technicien auditeurs commissaires étudiants débutants
    non-spécialistes non-experts experts ingénieurs commerciaux commerciales recruteurs recruteur acheteurs acheteur
    membres participants abonnés communauté patients parents destinataires destinataire responsable responsables
    chefs chef encadrants encadrement superviseurs ouvriers public stagiaires stagiaire alternants apprentis agence presse journalistes médias bénévoles élèves familles visiteurs invités conducteurs chauffeurs infirmiers médecins enseignants développeurs distributeurs
    revendeurs franchisés contrôleur contrôleurs comptables comptable élus cse agents interlocuteurs décideurs
    services service achats rh finance marketing ventes n+1 n+2 supérieur hiérarchie qualité maintenance logistique paie
    juridique comptabilité"""
)
_FR_AUDIENCE_VAGUE = _alt("gens monde personnes quelqu'un autres eux")
_FR_TONE_ADJ = _alt(
    """formel formelle informel informelle décontracté décontractée chaleureux chaleureuse amical amicale
    professionnel professionnelle neutre rassurant rassurante empathique ludique humoristique drôle léger légère
    enthousiaste persuasif persuasive diplomate diplomatique ferme poli polie courtois courtoise direct directe
    positif positive sérieux sérieuse factuel factuelle inclusif inclusive respectueux respectueuse bienveillant
    bienveillante dynamique convivial conviviale calme encourageant encourageante motivant motivante sobre engageant
    engageante confiant optimiste sincère accessible constructif constructive cordial cordiale institutionnel
    institutionnelle détendu détendue familier familière chaleureusement enjoué enjouée percutant percutante
    apaisant apaisante humble transparent transparente mesuré mesurée accueillant accueillante inspirant inspirante
    honnête convaincant convaincante fier fière agressif agressive sympa rassurant pédagogique pédagogue langage_simple
    langage_clair mots_simples"""
)

FR = LanguagePatterns(
    lang="fr",
    stopwords=_FR_STOP,
    vague_objects=_FR_VAGUE_OBJECTS,
    task=_c(
        rf"(?<![\w-])(?:{_FR_TASK_VERBS})(?:-(?:moi|nous|en|les|la|le|lui|leur|y))?(?![\w-])"
        r"|\b(?:j'ai besoin d'|je voudrais|j'aimerais|il me faut|je souhaite|je veux|nous avons besoin d')\s*(?:une?|le|la|les|des|\d+)\b"
    ),
    task_question=_c(r"(?:^|[.!?\n]\s*)(?:quel|quelle|quels|quelles|comment|pourquoi|qui|quand|où|est-ce que|peux-tu|pouvez-vous|y a-t-il|faut-il|c'est quoi|c quoi|qu'est-ce que|qu'est-ce qu')(?!\w)[^.!?\n]{3,}\?"),
    context=_c(
        r"\b(?:nous avons été|on a été|nous sommes|nous avons|nous venons|nous vendons|nous fabriquons|nous utilisons|nous avons reçu|"
        r"nous \w+ons|nous constatons|nous prévoyons|nous recrutons|nous cherchons|nous ouvrons|nous préparons|nous organisons|nous voulons|nous devons|nous lançons|on vient|on a|on est|on lance|"
        r"je travaille|je suis (?:une?|le|la|l'|responsable|chargée?|en charge|chef|directeur|directrice|manager|assistante?)|"
        r"je gère|je dirige|j'encadre|je m'occupe|mon manager|(?:^|(?<=[.!?\n])|(?<=[.!?\n] ))(?:hier|cette nuit|ce matin|la semaine dernière)|ma manager|mon entreprise|ma société|mon service|"
        r"ma direction|mon client|ma cliente|l'objectif (?:est|était)|le but (?:est|était)|"
        r"afin de|pour que|parce que|car|puisque|suite à|à la suite d[eu']|dans le cadre d[eu']|"
        r"actuellement|en ce moment|l'an dernier|l'année dernière|le trimestre dernier|le mois dernier|la semaine dernière|"
        r"ce trimestre|cette année|ce mois-ci|au t[1-4]|au [1-4]e trimestre|en raison d[eu']|le client (?:a|est|veut|souhaite|demande)|"
        r"la cliente (?:a|est|veut|souhaite)|ils (?:ont|veulent|demandent)|ce qui signifie|alors que|depuis|"
        r"en retard|retard|impayée?s?|manquante?s?|en panne|arrêtée?s?|bloquée?s?|a baissé|a augmenté|en baisse|en hausse|"
        r"perdu|annulée?s?|craignent|inquiets?|inquiètes?|n'a pas (?:payé|réglé|atteint|reçu)|n'ont pas)(?!\w)"
    ),
    context_time=_c(
        r"(?<!\w)(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)|"
        r"(?:le|du|au|avant le|d'ici le|dès le|à partir du|depuis le|jusqu'au)\s+\d{1,2}(?:er)?\b(?![\s\u00a0]*(?:\d|%|€|k€|euros?|mots|caractères|minutes|pages|lignes|h\b|heures))|"
        r"\d{1,2}(?:er)?(?:\s+au\s+\d{1,2})?\s+(?:MONTHS)|en\s+(?:MONTHS)|"
        r"demain|hier|cette nuit|ce soir|ce matin|la semaine prochaine|le mois prochain|échéance|date limite|"
        r"on lance|nous lançons|lançons|lancement (?:de|du|le|est|prévu)|est déployée?|sera déployée?|démarre|commencent|commence le|"
        r"arrive (?:lundi|mardi|mercredi|jeudi|vendredi|le|la semaine)|rejoint|part à la retraite|"
        r"équipe de \d+|(?:mon|notre) équipe (?:compte|est|a|comprend|passe)|"
        r"(?:il|elle|ils|elles) (?:a aimé|ont aimé|craint|craignent|veut|veulent|demande|demandent|a refusé|ont refusé))(?!\w)".replace("MONTHS", "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre")
    ),
    background_opener=_c(
        r"(?<!\w)(?:contexte|situation|notes?|faits|détails|informations|infos|chiffres|"
        r"voici|voilà|à partir de|en te basant sur|ci-dessous|suivantes?|collée?s?|ce qui s'est passé|objectifs?|but|enjeu|problème|pourquoi)(?!\w)"
    ),
    background_forward=_c(r"(?<!\w)(?:ci-dessous|suivantes?|ces (?:notes|chiffres|faits|données)|collée?s?)(?!\w)"),
    condition=_c(r"(?<!\w)(?:si|s'il|s'ils|sauf si|en cas d[e'])(?!\w)"),
    not_background=_c(r"(?<!\w)(?:exemples?|modèles?|format|structure|sections?|colonnes?|champs|ton|style|plan|mise en page)(?!\w)"),
    task_start=_c(
        rf"\W*(?:(?:alors|donc|et|puis|ensuite|maintenant|merci de|stp|svp)\W+)?"
        rf"(?:je dois |il faut que je |nous devons |on doit |je veux |je voudrais )?(?:{_FR_TASK_VERBS}|aide|aidez)(?:-(?:moi|nous|en|les|la|le|lui|leur|y))?(?![\w-])"
    ),
    task_want=_c(r"\b(?:j'ai besoin d'|je voudrais|j'aimerais|il me faut|je souhaite|je veux|nous avons besoin d')\s*(?:une?|le|la|les|des|\d+|que)\b"),
    request_start=_c(
        r"^\W*(?:peux-tu|pouvez-vous|pourrais-tu|pourriez-vous|tu peux|vous pouvez|merci de|stp|svp|aide-moi|aidez-moi|"
        r"j'ai besoin|je veux|je voudrais|j'aimerais|il me faut|donne-moi|dis-moi|quel|quelle|quels|quelles|comment|pourquoi|"
        r"qui|quand|où|est-ce|faut-il|c quoi|c'est quoi)(?!\w)"
    ),
    instruction_start=_c(
        r"^\W*(?:si|s'il|s'ils|sauf|quand|lorsque|en cas|sinon|demande|demandez|renvoie|renvoyez|dis|dites|insiste|insistez|"
        r"souligne|soulignez|précise|précisez|indique|indiquez|excuse-toi|excusez-vous|utilise|utilisez|garde|gardez|évite|évitez|inclus|incluez|ajoute|ajoutez|mentionne|mentionnez|ne|n'|sois|soyez|"
        r"commence|commencez|termine|terminez|finis|reste|restez|cite|citez|base-toi|appuie-toi|limite|limitez|mets|mettez|"
        r"pas de|sans|jamais|toujours|uniquement|ton|format|vouvoiement|tutoiement|vouvoie|tutoie|objet|maximum|max|"
        r"en \d+|en (?:deux|trois|quatre|cinq)|sous forme|en liste|tableau|liste|puces|\d+\s+(?:mots|puces|points|lignes|diapositives))(?!\w)"
    ),
    context_facts=_c(rf"\b{_DIGITS}\s?(?:%|pour ?cent|€|k€|m€|eur|euros?|personnes|salariés|collaborateurs|unités|tonnes|jours|semaines|mois|heures|magasins|sites|clients)(?!\w)|[€$£]\s?{_DIGITS}"),
    role=_c(
        r"(?:\b(?:tu es|vous êtes|t'es|tu seras|vous serez|agis comme|agissez comme|agis en tant que|agissez en tant que|"
        r"agis en|agissez en|joue le rôle d[eu']|jouez le rôle d[eu']|endosse le rôle d[eu']|endossez le rôle d[eu']|"
        r"prends le rôle d[eu']|prenez le rôle d[eu']|mets-toi dans la peau d[eu']|mettez-vous dans la peau d[eu']|"
        r"mets-toi à la place d[eu']|mettez-vous à la place d[eu']|imagine que tu es|imaginez que vous êtes|"
        r"ton rôle est d[eu']|votre rôle est d[eu']|incarne|incarnez)|\b(?:rôle|persona)\s*:)"
        r"\s*(?P<article>une?|le|la|l'|mon|ma|notre|des|d')?\s*(?P<what>[\w'-]+(?:\s+[\w'-]+){0,3})"
    ),
    role_hint=_c(r"(?<!\w)(?:tu|vous|t'es|agis|agissez|joue|jouez|endosse|endossez|prends|prenez|mets-toi|mettez-vous|imagine|"
                 r"imaginez|ton|votre|incarne|incarnez|rôle|persona)(?!\w)"),
    role_as=_c(r"(?:^|[.!?\n]\s*)en tant qu[e'] ?(?:une?\s+|le\s+|la\s+|l')?(?P<what>[\w' -]{2,60}?),\s*(?P<next>[\w']+)"),
    role_generic=frozenset("assistant assistante ia bot chatbot robot modèle gpt chatgpt copilot intelligence".split()),
    audience_strong=_c(
        rf"(?:\b(?:pour|destinée?s? (?:à|au|aux)|à destination d(?:e|es|u)|à l'attention d(?:e|es|u)|adressée?s? (?:à|au|aux)|"
        rf"s'adresse (?:à|au|aux)|qui sera lue? par|lue? par|public(?: cible)?\s*:|cible\s*:|lecteurs?\s*:|lectorat\s*:|"
        rf"destinataires?\s*:|(?:e-mail|email|mail|courriel|message|lettre|note|réponse|newsletter|présentation|post|"
        rf"annonce|discours|compte rendu|mot|rappel|invitation|courrier|consigne)\s+(?:\w+\s+){{0,2}}(?:à|au|aux)|envoyer (?:à|au|aux)|présenter (?:à|au|aux)|"
        rf"(?:explique|expliquez|présente|présentez|envoie|envoyez|écris|écrivez|adresse|adressez|annonce|annoncez)(?:-le|-la|-les|-leur)?\s+(?:[\w'-]+\s+){{0,4}}?(?:à|au|aux)|présenter\s+(?:[\w'-]+\s+){{1,4}}?(?:à|au|aux)|remercier|inviter|informer|contacter|convaincre|relancer|"
        rf"répondre (?:à|au|aux)|écrire (?:à|au|aux)|"
        rf"expliquer (?:à|au|aux)|adresser (?:à|au|aux)|(?:à|aux?)(?= (?:nos|mes|notre|mon|ma|vos|tous|toutes|l'ensemble)))\s+)"
        rf"(?:(?:nos|les|mes|le|la|l'|un|une|des|notre|mon|ma|tous les|toutes les|toute|tout|nouveaux|nouvelles|nouvel|nouveau|chaque|ces|ses|leurs?|du|de la)\s*)*"
        rf"(?:[\w'-]+\s+){{0,3}}?(?:l'|d')?(?P<who>{_FR_AUDIENCE_NOUNS})(?!\w)"
    ),
    audience_marker=_c(
        r"(?<!\w)(?:destinée?s? (?:à|au|aux)|à destination d(?:e|es|u)|à l'attention d(?:e|es|u)|adressée?s? (?:à|au|aux)|"
        r"s'adresse (?:à|au|aux)|qui sera lue? par|public(?: cible)?\s*:|cible\s*:|lecteurs?\s*:|lectorat\s*:|destinataires?\s*:|"
        r"pour moi|que je (?:relirai|lirai|utiliserai))\s*(?P<who>[\w'-]+(?:\s+[\w'-]+){0,4})"
    ),
    audience_weak=_c(rf"\b(?:pour|destinée?s? à|à destination d[eu']?|adressée?s? à)\s+(?:le grand |les |tout le )?{_FR_AUDIENCE_VAGUE}\b|\b(?:public cible|le public|les lecteurs)\b"),
    format_strong=_c(
        r"(?<!\w)(?:tableaux?|colonnes?|une ligne par|puces?|liste à puces|liste numérotée|étapes numérotées|numérotée?s|sous forme de liste|"
        r"en liste|liste de \d+|(?:la|une|avec la|avec une) liste d(?:es|e|u)|champs\s*:|une (?:courte |petite |brève )?liste|check-?list|sections?|en \w+ parties|\d+\s+parties|titres?|intertitres?|sous-titres?|"
        r"objet du (?:mail|courriel|message|e-mail)|ligne d'objet|objet\s*:|(?:un|avec|l') ?objet(?! de\b)|json|csv|markdown|planning|horaires?|"
        r"créneaux|minutage|minuté|déroulé|\d+\s+(?:paragraphes|points|puces|sections|parties|colonnes|diapositives|slides|"
        r"étapes)|(?:deux|trois|quatre|cinq|six) (?:courts )?(?:paragraphes|puces|sections|parties|colonnes|"
        r"diapositives|étapes)|étape par étape|faq|questions-réponses|en gras|modèle de|format\s*:|structure\s*:|"
        r"structuré en|plan en|formule d'appel|formule de politesse|signature|appel à l'action|un titre|accroche|"
        r"diapositives?|slides?|points de l'ordre du jour)(?!\w)"
    ),
    format_weak=_c(r"(?<!\w)(?:structurée?s?|bien organisée?s?|organisée?s?|clair et lisible|lisibles?|aérée?s?|mise en forme|mise en page|bien présentée?s?|format)(?!\w)"),
    constraints_strong=_c(
        r"(?<!\w)(?:(?:maximum|max|au plus|au maximum|pas plus de|moins de|ne dépasse pas|ne dépassant pas|en moins de|"
        r"entre|jusqu'à|limitée? à|au moins|exactement|environ)\s+\d+|\d+\s*(?:mots|caractères|signes|phrases|pages|hashtags|émojis)|(?<!à )(?<!à\u00a0)(?<!dans )\d+\s*(?:minutes|min|secondes|heures|h|jours|semaines)|"
        r"(?:sur|en)\s+\d+\s+(?:jours|semaines|mois|minutes|heures)|"
        r"\d+\s+(?:[\w'-]+\s+){0,2}?(?:idées|propositions|exemples|questions|noms|titres|slogans|accroches|variantes|versions|"
        r"actions|conseils|posts|messages|arguments|raisons|objections|avantages)|"
        r"\d+\s*[\w%-]+(?:\s+[\w'-]+)?\s+(?:maximum|max|maxi|au plus|au maximum)|"
        r"une (?:seule )?(?:page|phrase|ligne|diapositive)|ne (?:\w+ )?(?:pas|jamais|rien|aucun|aucune)|n'(?:invente|utilise|ajoute|"
        r"inclus|mentionne|oublie|indique|cite|dépasse)\w*|pas de|"
        r"sans (?:jamais|aucun|aucune|le|la|les|l'|de|d'|mentionner|citer|promettre|inventer|utiliser|dépasser|jargon|émoji)|évite[rz]?|interdit|il faut|tu dois|vous devez|doit|"
        r"doivent|uniquement|seulement|exclusivement|inclu(?:re|s|ez|t)|intègre[rz]?|mentionne[rz]?|exclu(?:re|s|ez)|"
        r"veille[rz]? à|assure-toi|assurez-vous|toujours|cite[rz]? (?:la|les|tes|vos) sources?|sources?|(?:termine|terminez|finis|finissez|conclus|concluez|commence|commencez)(?:-\w+)? par|\d+ dates|en (?:précisant|indiquant|rappelant|mentionnant)|(?<=[,;(] )sans [^\W\d]\w+)(?!\w)"
    ),
    constraints_weak=_c(r"(?<!\w)(?:courte?s?|brefs?|brève|concise?s?|succincte?s?|pas trop longu?e?s?|rapide|simple|simplement|synthétique)(?!\w)"),
    examples_strong=_c(
        r"(?<!\w)(?:voici un (?:exemple|modèle)|voilà un (?:exemple|modèle)|(?:par )?exemple\s*:|modèle\s*:|comme ceci\s*:|"
        r"comme ça\s*:|sur le modèle suivant|(?:en t'inspirant|inspire-toi|en vous inspirant|inspirez-vous) de (?:cet |l')exemple|"
        r"(?:un )?exemple d[eu'] [^.:\n]{0,60}:)"
    ),
    examples_hint=_c(r"(?<!\w)(?:voici|voilà|exemple|modèle|comme|sur le modèle|inspire|inspirez|inspirant)(?!\w)"),
    examples_quote=_c(r"(?<!\w)(?:exemple|modèle|style|ton|comme)(?!\w)[^\"“«\n]{0,60}" + _QUOTE
                      + r"|(?<!\w)(?:voici|voilà)(?!\w)(?![^:\n]{0,80}(?<!\w)(?:notes?|faits|données|chiffres|informations)(?!\w))[^:\n]{0,80}:\s*" + _QUOTE),
    examples_weak=_c(r"(?<!\w)(?:par exemple|p\. ?ex\.|comme notre|comme nos|comme le|comme la|dans le style d[eu']|à la manière d[eu']|s'inspirer d[eu']|en t'inspirant d[eu']|tels? que|telles? que|notamment)(?!\w)"),
    tone_cue=_c(r"(?<!\w)(?:ton|registre|style|voix|tonalité)(?!\w)"),
    tone_frame=_c(r"(?<!\w)(?:sois|soyez|reste|restez|mais pas|mais|et pas|sans être)\s+(?:très\s+|plus\s+|un peu\s+)?$"),
    tone_adjectives=_c(rf"(?<![\w-]){_FR_TONE_ADJ}(?![\w-])"),
    tone_register=_c(r"(?<!\w)(?:vouvoiement|tutoiement|vouvoie[rz]?|tutoie[rz]?|en vouvoyant|en tutoyant)(?!\w)"),
    vague=_c(r"(?<!\w)(?:quelque chose|trucs?|machins?|des choses|etc\.?|sympa|intéressante?s?|cool|un peu|genre|n'importe quoi|des idées|quelques idées)(?!\w)"),
    short_words=_c(r"(?<!\w)(?:courte?s?|brefs?|brève|concise?s?|succincte?s?|synthétique)(?!\w)"),
    long_words=_c(r"(?<!\w)(?:détaillée?s?|approfondie?s?|exhaustive?s?|en profondeur)(?!\w)"),
    formal_words=_c(r"(?<!\w)(?:formel(?:le)?|officiel(?:le)?|institutionnel(?:le)?|soutenu|vouvoiement|vouvoie[rz]?)(?!\w)"),
    casual_words=_c(r"(?<!\w)(?:décontractée?|informel(?:le)?|familière?|relâchée?|cool|tutoiement|tutoie[rz]?)(?!\w)"),
    serious_words=_c(r"(?<!\w)(?:sérieux|sérieuse|solennel(?:le)?|sobre)(?!\w)"),
    funny_words=_c(r"(?<!\w)(?:drôle|humoristique|ludique|blagueur|rigolo|décalée?)(?!\w)"),
    self_subjects=frozenset("je j' j nous on".split()),
)

BY_LANG: dict[str, LanguagePatterns] = {"en": EN, "fr": FR}
