"""Spanish translations of the report strings, and the script that writes them into
locale/es/LC_MESSAGES/django.po after `makemessages` (run: python locale/es_translations.py).

Keyed by msgid; plural entries map to (singular, plural). Kept as Python so the translations
survive `makemessages` rewriting the .po file.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ES: dict[str, str | tuple[str, str]] = {
    "(site-wide)": "(todo el sitio)",
    "... and %(count)d more": "... y %(count)d más",
    "How to fix": "Cómo solucionarlo",
    "%(count)d findings": "%(count)d hallazgos",
    "SEO & GEO audit": "Auditoría SEO y GEO",
    "Score": "Puntuación",
    "Value": "Valor",
    "SEO health": "Salud SEO",
    "GEO score": "Puntuación GEO",
    "pages crawled": "páginas rastreadas",
    "errors": "errores",
    "warnings": "advertencias",
    "notices": "avisos",
    "Error": "Error",
    "Warning": "Advertencia",
    "Notice": "Aviso",
    "Since the previous audit: SEO %(change)s, %(new)d new issues, %(fixed)d fixed, "
    "%(persisting)d persisting.":
        "Desde la auditoría anterior: SEO %(change)s, %(new)d problemas nuevos, "
        "%(fixed)d resueltos, %(persisting)d persistentes.",
    "Top issues": "Problemas principales",
    "Issue": "Problema",
    "Severity": "Gravedad",
    "Pages": "Páginas",
    "site-wide": "todo el sitio",
    "No issues found.": "No se encontraron problemas.",
    "training": "entrenamiento",
    "AI search": "búsqueda con IA",
    "assistant": "asistente",
    "legacy": "heredado",
    "not measured": "sin medir",
    "excellent": "excelente",
    "good": "buena",
    "needs work": "mejorable",
    "poor": "deficiente",
    "We crawled %(pages)d page of %(host)s on %(date)s.": (
        "Rastreamos %(pages)d página de %(host)s el %(date)s.",
        "Rastreamos %(pages)d páginas de %(host)s el %(date)s."),
    "The site's SEO health score is %(seo)s out of 100 (%(rating)s).":
        "La puntuación de salud SEO del sitio es de %(seo)s sobre 100 (%(rating)s).",
    "Its GEO score, which measures how well AI answer engines can read, trust and quote it, "
    "is %(geo)s (%(rating)s).":
        "Su puntuación GEO, que mide lo bien que los motores de respuesta de IA pueden leerlo, "
        "confiar en él y citarlo, es de %(geo)s (%(rating)s).",
    "We found %(errors)s, %(warnings)s and %(notices)s.":
        "Encontramos %(errors)s, %(warnings)s y %(notices)s.",
    "%d error": ("%d error", "%d errores"),
    "%d warning": ("%d advertencia", "%d advertencias"),
    "%d notice": ("%d aviso", "%d avisos"),
    "%(count)d page (%(share)d%%) has at least one error.": (
        "%(count)d página (%(share)d %%) tiene al menos un error.",
        "%(count)d páginas (%(share)d %%) tienen al menos un error."),
    "%(title)s (%(affected)s)": "%(title)s (%(affected)s)",
    "Fixing these first will help most: %(items)s.":
        "Lo que más ayudará es corregir primero esto: %(items)s.",
    "No issue needs fixing: keep monitoring the site with regular audits.":
        "No hay nada urgente que corregir: siga vigilando el sitio con auditorías periódicas.",
    "The site has no llms.txt file; this report proposes one.":
        "El sitio no tiene archivo llms.txt; este informe propone uno.",
    "The site's llms.txt file does not follow the format.":
        "El archivo llms.txt del sitio no sigue el formato.",
    "The site publishes an llms.txt file.": "El sitio publica un archivo llms.txt.",
    "%(count)d AI search or assistant crawler is blocked from key pages.": (
        "%(count)d rastreador de búsqueda o asistente de IA tiene bloqueado el acceso a "
        "páginas clave.",
        "%(count)d rastreadores de búsqueda o asistentes de IA tienen bloqueado el acceso a "
        "páginas clave."),
    "No AI search or assistant crawler is blocked from key pages.":
        "Ningún rastreador de búsqueda o asistente de IA tiene bloqueado el acceso a páginas "
        "clave.",
    "the SEO score did not change": "la puntuación SEO no ha cambiado",
    "the SEO score rose by %(points)s points": "la puntuación SEO ha subido %(points)s puntos",
    "the SEO score fell by %(points)s points": "la puntuación SEO ha bajado %(points)s puntos",
    "Since the previous audit, %(trend)s: %(new)d new issues appeared and %(fixed)d were fixed.":
        "Desde la auditoría anterior, %(trend)s: han aparecido %(new)d problemas nuevos y se "
        "han resuelto %(fixed)d.",
    "%d page": ("%d página", "%d páginas"),
    "SEO & GEO audit of %(host)s": "Auditoría SEO y GEO de %(host)s",
    "Page": "Página",
    "SEO & GEO audit report": "Informe de auditoría SEO y GEO",
    "Audit date": "Fecha de la auditoría",
    "Report generated": "Informe generado",
    "Pages crawled": "Páginas rastreadas",
    "Executive summary": "Resumen ejecutivo",
    "Scores": "Puntuaciones",
    "SEO health: %(score)s / 100 (%(rating)s).": "Salud SEO: %(score)s / 100 (%(rating)s).",
    "GEO score: %(score)s / 100 (%(rating)s).": "Puntuación GEO: %(score)s / 100 (%(rating)s).",
    "Category breakdown": "Desglose por categoría",
    "Ranked by impact: severity weight × affected pages (a site-wide issue counts as 10%% of "
    "the pages).":
        "Ordenados por impacto: peso de la gravedad × páginas afectadas (un problema de todo el "
        "sitio cuenta como el 10 %% de las páginas).",
    "Findings": "Hallazgos",
    "Impact": "Impacto",
    "Change since the previous audit": "Cambios desde la auditoría anterior",
    "Previous audit": "Auditoría anterior",
    "Before": "Antes",
    "Now": "Ahora",
    "Change": "Cambio",
    "new issues": "problemas nuevos",
    "fixed issues": "problemas resueltos",
    "persisting issues": "problemas persistentes",
    "Check": "Comprobación",
    "New": "Nuevos",
    "Fixed": "Resueltos",
    "Persisting": "Persistentes",
    "Issues by category": "Problemas por categoría",
    "Each issue lists up to %(cap)s example URLs; the CSV export has every affected URL.":
        "Cada problema muestra hasta %(cap)s URL de ejemplo; la exportación CSV incluye todas "
        "las URL afectadas.",
    "%(n)s page": ("%(n)s página", "%(n)s páginas"),
    "%(shown)s of %(more)s pages shown.": "Se muestran %(shown)s de %(more)s páginas.",
    "No issues in this category.": "No hay problemas en esta categoría.",
    "GEO: AI answer engines": "GEO: motores de respuesta de IA",
    "How well AI search and assistants (ChatGPT, Perplexity, Google AI Overviews, ...) can "
    "reach, read, trust and quote the site.":
        "Lo bien que las búsquedas y los asistentes de IA (ChatGPT, Perplexity, las AI "
        "Overviews de Google, ...) pueden acceder al sitio, leerlo, confiar en él y citarlo.",
    "Component": "Componente",
    "Weight": "Peso",
    "AI crawler access (robots.txt)": "Acceso de los rastreadores de IA (robots.txt)",
    "What robots.txt lets each AI crawler fetch, checked on the start page and the most linked "
    "page (%(n)s URL, listed below).": (
        "Lo que robots.txt permite descargar a cada rastreador de IA, comprobado en la página "
        "de inicio y en la página más enlazada (%(n)s URL, listada abajo).",
        "Lo que robots.txt permite descargar a cada rastreador de IA, comprobado en la página "
        "de inicio y en las páginas más enlazadas (%(n)s URL, listadas abajo)."),
    "Crawler": "Rastreador",
    "Operator": "Operador",
    "Purpose": "Finalidad",
    "Own robots.txt group": "Grupo propio en robots.txt",
    "Access": "Acceso",
    "yes": "sí",
    "no": "no",
    "allowed": "permitido",
    "blocked": "bloqueado",
    "blocked on %(blocked)s of %(total)s pages": "bloqueado en %(blocked)s de %(total)s páginas",
    "robots.txt could not be read, so the crawler matrix is not available.":
        "No se pudo leer robots.txt, así que la matriz de rastreadores no está disponible.",
    "Not checked.": "No comprobado.",
    "Proposed llms.txt, generated from the crawled pages:":
        "Propuesta de llms.txt, generada a partir de las páginas rastreadas:",
    "GEO issues, including citability": "Problemas GEO, incluida la citabilidad",
    "No GEO issues found.": "No se encontraron problemas GEO.",
    "Appendix: crawl settings and statistics": "Anexo: configuración y estadísticas del rastreo",
    "Start URL": "URL de inicio",
    "URLs recorded": "URL registradas",
    "Audit ID": "ID de la auditoría",
    "HTML": "HTML",
    "Status codes": "Códigos de estado",
    "no response": "sin respuesta",
    "Indexable pages": "Páginas indexables",
    "Pages in the sitemap": "Páginas en el sitemap",
    "Average response time (TTFB)": "Tiempo medio de respuesta (TTFB)",
    "Average page size": "Tamaño medio de página",
    "Average words per page": "Palabras por página de media",
    "Deepest click depth": "Profundidad de clic máxima",
    "Crawl time": "Duración del rastreo",
    "Pages by click depth": "Páginas por profundidad de clic",
    "Depth": "Profundidad",
    "sitemap only": "solo en el sitemap",
    "Sitemaps": "Sitemaps",
    "Status": "Estado",
    "URLs not crawled": "URL no rastreadas",
    "Crawl settings": "Configuración del rastreo",
    "Default settings.": "Configuración predeterminada.",
    # --- Page speed and AI-generated fixes (reports/page_speed.py, reports/ai_fixes.py) ---
    "offline draft (no AI provider configured)":
        "borrador sin conexión (sin proveedor de IA configurado)",
    "AI provider": "proveedor de IA",
    "Title and meta description": "Título y meta descripción",
    "Image alt texts": "Textos alternativos de imágenes",
    "FAQ section": "Sección de preguntas frecuentes",
    "JSON-LD draft": "Borrador de JSON-LD",
    "llms.txt draft": "Borrador de llms.txt",
    "GEO content brief": "Guía de contenido GEO",
    "Statistics": "Estadísticas",
    "Quotations": "Citas",
    "Sources": "Fuentes",
    "Structure": "Estructura",
    "Largest Contentful Paint": "Renderizado del mayor elemento con contenido (LCP)",
    "Cumulative Layout Shift": "Cambio de diseño acumulado (CLS)",
    "Interaction to Next Paint": "Interacción hasta el siguiente renderizado (INP)",
    "Total Blocking Time": "Tiempo total de bloqueo (TBT)",
    "First Contentful Paint": "Primer renderizado con contenido (FCP)",
    "Time to First Byte": "Tiempo hasta el primer byte (TTFB)",
    "To enable the lab measurement, install Chromium on the worker (Debian package "
    '"chromium") or set SEOAUDIT_CHROMIUM to its path, and keep the audit\'s page-speed sample '
    "above 0 (option pagespeed_sample); then run the audit again. PageSpeed Insights results "
    "also need PAGESPEED_API_KEY.":
        "Para activar la medición de laboratorio, instale Chromium en el worker (paquete de "
        'Debian "chromium") o indique su ruta en SEOAUDIT_CHROMIUM, y mantenga la muestra de '
        "velocidad de la auditoría por encima de 0 (opción pagespeed_sample); después vuelva a "
        "ejecutar la auditoría. Los resultados de PageSpeed Insights requieren además "
        "PAGESPEED_API_KEY.",
    "whole-site data (too little traffic for this page)":
        "datos de todo el sitio (la página tiene poco tráfico)",
    "Note": "Nota",
    "The page-speed lab measurement was skipped: %(reason)s.":
        "Se omitió la medición de velocidad en laboratorio: %(reason)s.",
    "no reason recorded": "sin motivo registrado",
    "Largest Contentful Paint on mobile (lab) of the %(total)d page measured: %(poor)d poor, "
    "%(middling)d needing improvement, %(good)d good; the slowest is %(url)s (%(lcp)s).":
        ("Renderizado del mayor elemento con contenido en móvil (laboratorio) de la %(total)d "
         "página medida: %(poor)d deficiente, %(middling)d por mejorar, %(good)d buena; la más "
         "lenta es %(url)s (%(lcp)s).",
         "Renderizado del mayor elemento con contenido en móvil (laboratorio) de las %(total)d "
         "páginas medidas: %(poor)d deficientes, %(middling)d por mejorar, %(good)d buenas; la "
         "más lenta es %(url)s (%(lcp)s)."),
    "The report includes %(count)d AI-generated fix to review before publishing.":
        ("El informe incluye %(count)d corrección generada por IA que debe revisarse antes de "
         "publicarla.",
         "El informe incluye %(count)d correcciones generadas por IA que deben revisarse antes "
         "de publicarlas."),
    "%(count)d of them is an offline draft, made without an AI model.":
        ("%(count)d de ellas es un borrador sin conexión, hecho sin un modelo de IA.",
         "%(count)d de ellas son borradores sin conexión, hechos sin un modelo de IA."),
    "Mobile": "Móvil",
    "Desktop": "Escritorio",
    "lab": "laboratorio",
    "PageSpeed Insights": "PageSpeed Insights",
    "No page-speed measurement was recorded for this audit.":
        "No se registró ninguna medición de velocidad para esta auditoría.",
    "failed": "falló",
    "The HTML report and the JSON export list every measured page.":
        "El informe HTML y la exportación JSON incluyen todas las páginas medidas.",
    "The HTML report and the JSON export have every draft.":
        "El informe HTML y la exportación JSON contienen todos los borradores.",
    "Django site admin": "Administración del sitio",
    "Django administration": "Administración",
    "Title": "Título",
    "%(n)s character": ("%(n)s carácter", "%(n)s caracteres"),
    "Meta description": "Meta descripción",
    "Image": "Imagen",
    "Proposed alt text": "Texto alternativo propuesto",
    "Every image already has an alt text.": "Todas las imágenes ya tienen texto alternativo.",
    "Answer-first opening": "Apertura con la respuesta primero",
    "Answers": "Responde a",
    "Shortened here; the JSON export has the whole draft.":
        "Abreviado aquí; la exportación JSON contiene el borrador completo.",
    "AI-generated fixes": "Correcciones generadas por IA",
    "Drafts generated from the crawled pages for the issues above. Review them before "
    "publishing: they are proposals, not verified facts.":
        "Borradores generados a partir de las páginas rastreadas para los problemas anteriores. "
        "Revíselos antes de publicarlos: son propuestas, no hechos verificados.",
    "%(n)s draft was made by the deterministic offline generator, without an AI model (no AI "
    "provider was configured).":
        ("%(n)s borrador lo creó el generador determinista sin conexión, sin un modelo de IA "
         "(no había ningún proveedor de IA configurado).",
         "%(n)s borradores los creó el generador determinista sin conexión, sin un modelo de IA "
         "(no había ningún proveedor de IA configurado)."),
    "The first %(shown)s fixes are shown; the JSON export has all of them.":
        "Se muestran las primeras %(shown)s correcciones; la exportación JSON las contiene todas.",
    "Page speed": "Velocidad de página",
    "The lab measurement was skipped.": "Se omitió la medición de laboratorio.",
    "Reason": "Motivo",
    "Measured on %(n)s sampled page: a page load in headless Chromium per form factor (mobile "
    "with a throttled network and CPU, desktop), and PageSpeed Insights where configured.":
        ("Medido en %(n)s página de la muestra: una carga en Chromium sin interfaz por tipo de "
         "dispositivo (móvil con red y CPU limitadas, escritorio) y PageSpeed Insights si está "
         "configurado.",
         "Medido en %(n)s páginas de la muestra: una carga en Chromium sin interfaz por tipo de "
         "dispositivo (móvil con red y CPU limitadas, escritorio) y PageSpeed Insights si está "
         "configurado."),
    "Colours follow the Core Web Vitals thresholds (web.dev); total blocking time stands in "
    "for interaction latency in the lab.":
        "Los colores siguen los umbrales de las Core Web Vitals (web.dev); en el laboratorio, el "
        "tiempo total de bloqueo sustituye a la latencia de interacción.",
    "needs improvement": "necesita mejorar",
    "Requests": "Solicitudes",
    "Measurement failed": "La medición falló",
    "Skipped": "Omitida",
    "Not measured yet": "Aún sin medir",
    "The first %(shown)s measured pages are shown; the JSON export has every measurement.":
        "Se muestran las primeras %(shown)s páginas medidas; la exportación JSON contiene todas "
        "las mediciones.",
    "Field data from real Chrome users (PageSpeed Insights)":
        "Datos de campo de usuarios reales de Chrome (PageSpeed Insights)",
    "75th percentile over the last 28 days (Chrome UX Report), when Google has enough traffic "
    "data for the page.":
        "Percentil 75 de los últimos 28 días (Chrome UX Report), cuando Google tiene suficientes "
        "datos de tráfico de la página.",
    "Metric": "Métrica",
    "Device": "Dispositivo",
    "What slows the pages down": "Qué ralentiza las páginas",
    "Page weight by type": "Peso de la página por tipo",
    "%(n)s render-blocking resource:": ("%(n)s recurso que bloquea el renderizado:",
                                        "%(n)s recursos que bloquean el renderizado:"),
    "%(shown)s of %(total)s shown.": "Se muestran %(shown)s de %(total)s.",
    "%(n)s large image shown much smaller than its size, or not on screen at load:":
        ("%(n)s imagen grande mostrada mucho más pequeña que su tamaño, o fuera de la pantalla al "
         "cargar:",
         "%(n)s imágenes grandes mostradas mucho más pequeñas que su tamaño, o fuera de la "
         "pantalla al cargar:"),
    "not on screen at load": "fuera de la pantalla al cargar",
    "%(delay)s of delay": "%(delay)s de retraso",
    "%(natural)s px shown at %(displayed)s px": "%(natural)s px mostrada a %(displayed)s px",
}

_ENTRY = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$')


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _header(block: str) -> str:
    block = block.replace("#, fuzzy\n", "")
    for old, new in (("Language: \\n", "Language: es\\n"),
                     ("PACKAGE VERSION", "seoaudit reports"),
                     ("YEAR-MO-DA HO:MI+ZONE", "2026-11-29 07:40+0000"),
                     ("FULL NAME <EMAIL@ADDRESS>", "reports helper"),
                     ("LANGUAGE <LL@li.org>", "Spanish")):
        block = block.replace(old, new)
    return block


def fill(po: Path) -> list[str]:
    """Rewrite the msgstr lines of `po` from ES; returns the msgids left untranslated."""
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    out, missing = [], []
    for block in blocks:
        keep, fields, current = [], {}, None
        for line in block.splitlines():
            match = _ENTRY.match(line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
                if not current.startswith("msgstr"):
                    keep.append(line)
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
                if not current.startswith("msgstr"):
                    keep.append(line)
            elif not line.startswith("#~"):
                current = None
                keep.append(line.replace("#, fuzzy, ", "#, ").replace("#, fuzzy", "#"))
        msgid = fields.get("msgid")
        if not msgid:
            out.append(_header(block))
            continue
        value = ES.get(msgid)
        if value is None:
            missing.append(msgid)
            value = ""
        if "msgid_plural" in fields:
            one, many = value if isinstance(value, tuple) else (value, value)
            # Django's Spanish plural forms: [0] one, [1] many (millions), [2] other.
            keep += [f"msgstr[0] {_quote(one)}", f"msgstr[1] {_quote(many)}",
                     f"msgstr[2] {_quote(many)}"]
        else:
            keep.append(f"msgstr {_quote(value if isinstance(value, str) else value[0])}")
        out.append("\n".join(line for line in keep if line != "#"))
    po.write_text("\n\n".join(out).rstrip() + "\n", encoding="utf-8")
    return missing


if __name__ == "__main__":
    left = fill(Path(__file__).resolve().parent / "es" / "LC_MESSAGES" / "django.po")
    if left:
        print("untranslated:", *left, sep="\n  ", file=sys.stderr)
        sys.exit(1)
