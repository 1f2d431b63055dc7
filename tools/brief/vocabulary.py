"""The brief's vocabularies: model names, style and pace words, front-matter keys, section
names and language words (documented in docs/brief-format.md)."""

from __future__ import annotations

#: Longest video a brief may ask for (4 hours): anything longer is a typo.
MAX_DURATION_SECONDS = 4 * 3600
#: Largest brief file read (a brief is a page or two; a screenplay a few hundred KiB).
MAX_BRIEF_BYTES = 2 * 1024 * 1024

#: Human model names to model ids (ids of tools/data/models.yaml). Keys are folded with
#: :func:`_model_key`; a caller passes the registry's own names with ``known_models``.
BUILTIN_MODEL_ALIASES: dict[str, str] = {
    "wan": "wan22_14b",
    "wan 2.2": "wan22_14b",
    "wan 2.1": "wan21_flf2v",
    "sora": "sora2",
    "sora 2": "sora2",
    "sora 2 pro": "sora2_pro",
    "kling": "kling_25",
    "kling 2": "kling_25",
    "kling 2.5": "kling_25",
    "ltx": "ltx_video",
    "ltx video": "ltx_video",
    "ltxv": "ltx_video",
    "ltx 2": "ltx2",
    "hunyuan": "hunyuanvideo_15",
    "hunyuanvideo": "hunyuanvideo_15",
    "hunyuan video": "hunyuanvideo_15",
    "hunyuanvideo 1.5": "hunyuanvideo_15",
    "hunyuan 1.5": "hunyuanvideo_15",
    "veo": "veo3",
    "veo 3": "veo3",
    "runway": "runway_gen4",
    "runway gen 4": "runway_gen4",
    "gen 4": "runway_gen4",
    "seedance": "seedance_1_pro",
    "omnihuman": "omnihuman_15",
    "flux": "flux1_dev",
    "flux 1": "flux1_dev",
    "flux 1 dev": "flux1_dev",
    "flux dev": "flux1_dev",
    "flux 2": "flux2_dev",
    "sdxl": "sdxl",
    "stable diffusion xl": "sdxl",
    "z image": "z_image_turbo",
    "z image turbo": "z_image_turbo",
    "qwen image edit": "qwen_image_edit",
    "nano banana": "nano_banana",
    "seedream": "seedream_4",
}

#: Ids of the built-in table that run in the cloud (for the local-only contradiction rule).
CLOUD_MODEL_IDS = frozenset(
    {
        "sora2",
        "sora2_pro",
        "veo3",
        "kling_25",
        "runway_gen4",
        "seedance_1_pro",
        "omnihuman_15",
        "nano_banana",
        "seedream_4",
    }
)

# Plain English words: a mention counts only next to a wish ("use Runway", "avoid Flux").
_AMBIGUOUS_MODEL_WORDS = frozenset({"wan", "runway", "flux"})

#: Style words the parser recognises, by canonical English word, with the spellings accepted
#: (English and French). Matching is case-insensitive; the longest spelling wins.
STYLE_VOCABULARY: dict[str, list[str]] = {
    "noir": ["film noir", "style noir", "ambiance noir", "polar noir", "noir"],
    "neo-noir": ["neo-noir", "néo-noir", "neo noir", "néo noir"],
    "black and white": [
        "black and white",
        "black-and-white",
        "b&w",
        "noir et blanc",
        "noir & blanc",
    ],
    "monochrome": ["monochrome", "monochromatic", "monochromatique"],
    "cinematic": [
        "cinematic",
        "filmic",
        "cinématographique",
        "cinematographique",
        "cinématique",
        "cinematique",
    ],
    "anime": ["anime", "animé japonais", "japanimation", "manga style", "style manga"],
    "documentary": ["documentary", "documentary-style", "documentaire", "docu-style"],
    "pastel": ["pastel", "pastels", "couleurs pastel", "tons pastel"],
    "vintage": ["vintage"],
    "retro": ["retro", "rétro"],
    "cyberpunk": ["cyberpunk"],
    "steampunk": ["steampunk"],
    "synthwave": ["synthwave", "outrun"],
    "vaporwave": ["vaporwave"],
    "minimalist": ["minimalist", "minimalistic", "minimaliste"],
    "surreal": ["surreal", "surrealist", "surréaliste", "surrealiste", "surréel"],
    "dreamy": ["dreamy", "dreamlike", "onirique"],
    "ethereal": ["ethereal", "éthéré", "ethere"],
    "gritty": ["gritty"],
    "photorealistic": [
        "photorealistic",
        "photoreal",
        "photoréaliste",
        "photorealiste",
        "hyperrealistic",
        "hyperréaliste",
    ],
    "realistic": ["realistic", "naturalistic", "réaliste", "realiste", "naturaliste"],
    "watercolor": ["watercolor", "watercolour", "aquarelle"],
    "oil painting": ["oil painting", "peinture à l'huile"],
    "3d animation": ["3d animation", "3d animated", "cgi", "animation 3d"],
    "stop-motion": ["stop-motion", "stop motion", "claymation", "pâte à modeler"],
    "pixel art": ["pixel art", "pixel-art"],
    "comic book": ["comic book", "comic-book", "bande dessinée", "bande dessinee"],
    "cartoon": ["cartoon", "cartoonish", "dessin animé", "dessin anime"],
    "fantasy": ["fantasy", "heroic fantasy", "dark fantasy"],
    "sci-fi": ["sci-fi", "science fiction", "science-fiction"],
    "horror": ["horror", "horreur", "épouvante"],
    "gothic": ["gothic", "gothique"],
    "epic": ["epic", "épique", "epique"],
    "moody": ["moody"],
    "neon": ["neon", "neon-lit", "néon", "néons"],
    "film grain": [
        "film grain",
        "grainy",
        "grain argentique",
        "grain de pellicule",
        "35mm film",
        "16mm film",
        "super 8",
    ],
    "vhs": ["vhs"],
    "glitch": ["glitch", "glitchy"],
    "high contrast": ["high contrast", "high-contrast", "fort contraste", "très contrasté"],
    "low key": ["low key", "low-key", "chiaroscuro", "clair-obscur", "clair obscur"],
    "golden hour": ["golden hour", "heure dorée", "heure doree"],
    "whimsical": ["whimsical", "fantaisiste"],
    "lo-fi": ["lo-fi", "lofi"],
    "desaturated": [
        "desaturated",
        "muted colors",
        "muted colours",
        "désaturé",
        "desature",
        "couleurs désaturées",
    ],
    "vibrant": [
        "vibrant",
        "saturated colors",
        "saturated colours",
        "couleurs vives",
        "couleurs saturées",
    ],
}

# Spellings that are ordinary French words ("un chat noir"): they count only in briefs that
# are not written in French.
_STYLE_NOT_IN_FRENCH = frozenset({"noir"})

#: Words that set TechnicalSpecs.pace, by pace (matched on folded text, first mention wins).
PACE_WORDS: dict[str, list[str]] = {
    "music_video": [
        "music video",
        "music clip",
        "clip musical",
        "clip video",
        "videoclip",
        "video clip musical",
        "clip de musique",
    ],
    "trailer": ["trailer", "teaser", "bande annonce", "bande annonces"],
    "short_film": ["short film", "short movie", "court metrage", "court metrages", "film court"],
    "ad": [
        "ad",
        "ads",
        "advert",
        "advertisement",
        "commercial",
        "advertising spot",
        "tv spot",
        "spot tv",
        "spot publicitaire",
        "publicite",
        "film publicitaire",
        "une pub",
        "la pub",
        "cette pub",
        "notre pub",
        "pub tv",
        "pub tele",
        "pub pour",
        "pub de",
        "un spot",
    ],
    "series": ["web series", "tv series", "episode", "episodes", "web serie", "serie tv", "saison"],
}

#: Front-matter keys (and accepted spellings) to their canonical name.
FRONT_MATTER_KEYS: dict[str, str] = {
    "title": "title",
    "titre": "title",
    "duration": "duration",
    "duree": "duration",
    "length": "duration",
    "aspect_ratio": "aspect_ratio",
    "aspect": "aspect_ratio",
    "ratio": "aspect_ratio",
    "resolution": "resolution",
    "fps": "fps",
    "frame_rate": "fps",
    "framerate": "fps",
    "language": "language",
    "langue": "language",
    "prompt_language": "prompt_language",
    "langue_des_prompts": "prompt_language",
    "style": "style",
    "models": "models",
    "modeles": "models",
    "budget": "budget",
    "budget_usd": "budget",
    "required_prompt_elements": "required_prompt_elements",
    "cut_marker": "cut_marker",
    "camera_movement_rule": "camera_movement_rule",
    "pace": "pace",
    "drop_frame": "drop_frame",
}

_SECTION_NAMES: dict[str, str] = {
    "characters": "characters",
    "character": "characters",
    "cast": "characters",
    "personnages": "characters",
    "personnage": "characters",
    "locations": "locations",
    "location": "locations",
    "lieux": "locations",
    "lieu": "locations",
    "settings": "locations",
    "decors": "locations",
    "props": "props",
    "prop": "props",
    "accessoires": "props",
    "accessoire": "props",
    "objets": "props",
    "scenes": "scenes",
    "scene": "scenes",
}
_SECTION_LABELS = {
    "characters": "Characters",
    "locations": "Locations",
    "props": "Props",
    "scenes": "Scenes",
}

_LANGUAGE_WORDS: dict[str, str] = {
    "english": "en",
    "anglais": "en",
    "french": "fr",
    "francais": "fr",
    "spanish": "es",
    "espagnol": "es",
    "espanol": "es",
    "german": "de",
    "allemand": "de",
    "deutsch": "de",
    "italian": "it",
    "italien": "it",
    "italiano": "it",
    "portuguese": "pt",
    "portugais": "pt",
    "japanese": "ja",
    "japonais": "ja",
    "chinese": "zh",
    "chinois": "zh",
    "mandarin": "zh",
    "korean": "ko",
    "coreen": "ko",
}
