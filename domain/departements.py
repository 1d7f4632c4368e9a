"""French départements: code → name, and the form used after « préfet » (« de l'Ain »,
« d'Indre-et-Loire », « du Nord », « de la Gironde », « des Hauts-de-Seine »), for the
documents addressed to the préfecture."""

from __future__ import annotations

# code: (name, "de …" form)
DEPARTEMENTS: dict[str, tuple[str, str]] = {
    "01": ("Ain", "de l'Ain"), "02": ("Aisne", "de l'Aisne"), "03": ("Allier", "de l'Allier"),
    "04": ("Alpes-de-Haute-Provence", "des Alpes-de-Haute-Provence"), "05": ("Hautes-Alpes", "des Hautes-Alpes"),
    "06": ("Alpes-Maritimes", "des Alpes-Maritimes"), "07": ("Ardèche", "de l'Ardèche"),
    "08": ("Ardennes", "des Ardennes"), "09": ("Ariège", "de l'Ariège"), "10": ("Aube", "de l'Aube"),
    "11": ("Aude", "de l'Aude"), "12": ("Aveyron", "de l'Aveyron"), "13": ("Bouches-du-Rhône", "des Bouches-du-Rhône"),
    "14": ("Calvados", "du Calvados"), "15": ("Cantal", "du Cantal"), "16": ("Charente", "de la Charente"),
    "17": ("Charente-Maritime", "de la Charente-Maritime"), "18": ("Cher", "du Cher"), "19": ("Corrèze", "de la Corrèze"),
    "2A": ("Corse-du-Sud", "de Corse-du-Sud"), "2B": ("Haute-Corse", "de la Haute-Corse"),
    "21": ("Côte-d'Or", "de la Côte-d'Or"), "22": ("Côtes-d'Armor", "des Côtes-d'Armor"), "23": ("Creuse", "de la Creuse"),
    "24": ("Dordogne", "de la Dordogne"), "25": ("Doubs", "du Doubs"), "26": ("Drôme", "de la Drôme"),
    "27": ("Eure", "de l'Eure"), "28": ("Eure-et-Loir", "d'Eure-et-Loir"), "29": ("Finistère", "du Finistère"),
    "30": ("Gard", "du Gard"), "31": ("Haute-Garonne", "de la Haute-Garonne"), "32": ("Gers", "du Gers"),
    "33": ("Gironde", "de la Gironde"), "34": ("Hérault", "de l'Hérault"), "35": ("Ille-et-Vilaine", "d'Ille-et-Vilaine"),
    "36": ("Indre", "de l'Indre"), "37": ("Indre-et-Loire", "d'Indre-et-Loire"), "38": ("Isère", "de l'Isère"),
    "39": ("Jura", "du Jura"), "40": ("Landes", "des Landes"), "41": ("Loir-et-Cher", "de Loir-et-Cher"),
    "42": ("Loire", "de la Loire"), "43": ("Haute-Loire", "de la Haute-Loire"), "44": ("Loire-Atlantique", "de la Loire-Atlantique"),
    "45": ("Loiret", "du Loiret"), "46": ("Lot", "du Lot"), "47": ("Lot-et-Garonne", "de Lot-et-Garonne"),
    "48": ("Lozère", "de la Lozère"), "49": ("Maine-et-Loire", "de Maine-et-Loire"), "50": ("Manche", "de la Manche"),
    "51": ("Marne", "de la Marne"), "52": ("Haute-Marne", "de la Haute-Marne"), "53": ("Mayenne", "de la Mayenne"),
    "54": ("Meurthe-et-Moselle", "de Meurthe-et-Moselle"), "55": ("Meuse", "de la Meuse"), "56": ("Morbihan", "du Morbihan"),
    "57": ("Moselle", "de la Moselle"), "58": ("Nièvre", "de la Nièvre"), "59": ("Nord", "du Nord"),
    "60": ("Oise", "de l'Oise"), "61": ("Orne", "de l'Orne"), "62": ("Pas-de-Calais", "du Pas-de-Calais"),
    "63": ("Puy-de-Dôme", "du Puy-de-Dôme"), "64": ("Pyrénées-Atlantiques", "des Pyrénées-Atlantiques"),
    "65": ("Hautes-Pyrénées", "des Hautes-Pyrénées"), "66": ("Pyrénées-Orientales", "des Pyrénées-Orientales"),
    "67": ("Bas-Rhin", "du Bas-Rhin"), "68": ("Haut-Rhin", "du Haut-Rhin"), "69": ("Rhône", "du Rhône"),
    "70": ("Haute-Saône", "de la Haute-Saône"), "71": ("Saône-et-Loire", "de Saône-et-Loire"), "72": ("Sarthe", "de la Sarthe"),
    "73": ("Savoie", "de la Savoie"), "74": ("Haute-Savoie", "de la Haute-Savoie"), "75": ("Paris", "de Paris"),
    "76": ("Seine-Maritime", "de la Seine-Maritime"), "77": ("Seine-et-Marne", "de Seine-et-Marne"),
    "78": ("Yvelines", "des Yvelines"), "79": ("Deux-Sèvres", "des Deux-Sèvres"), "80": ("Somme", "de la Somme"),
    "81": ("Tarn", "du Tarn"), "82": ("Tarn-et-Garonne", "de Tarn-et-Garonne"), "83": ("Var", "du Var"),
    "84": ("Vaucluse", "de Vaucluse"), "85": ("Vendée", "de la Vendée"), "86": ("Vienne", "de la Vienne"),
    "87": ("Haute-Vienne", "de la Haute-Vienne"), "88": ("Vosges", "des Vosges"), "89": ("Yonne", "de l'Yonne"),
    "90": ("Territoire de Belfort", "du Territoire de Belfort"), "91": ("Essonne", "de l'Essonne"),
    "92": ("Hauts-de-Seine", "des Hauts-de-Seine"), "93": ("Seine-Saint-Denis", "de la Seine-Saint-Denis"),
    "94": ("Val-de-Marne", "du Val-de-Marne"), "95": ("Val-d'Oise", "du Val-d'Oise"),
    "971": ("Guadeloupe", "de la Guadeloupe"), "972": ("Martinique", "de la Martinique"),
    "973": ("Guyane", "de la Guyane"), "974": ("La Réunion", "de La Réunion"), "976": ("Mayotte", "de Mayotte"),
}


def departement_name(code: str) -> str | None:
    """« 37 » → « Indre-et-Loire » (None for an unknown code)."""
    entry = DEPARTEMENTS.get(code.strip().upper())
    return entry[0] if entry else None


def of_departement(code: str) -> str | None:
    """« 37 » → « d'Indre-et-Loire », the form after « préfet » (None if unknown)."""
    entry = DEPARTEMENTS.get(code.strip().upper())
    return entry[1] if entry else None
