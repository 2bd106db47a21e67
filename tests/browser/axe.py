"""Run axe-core (npm, installed by scripts/bootstrap-system.sh --with-browser into
scripts/browser/node_modules) on an HTML page in Debian's headless Chromium.

Playwright is not in the project: a copy of the page gets axe.min.js inlined and a script that
writes axe's results into an attribute of <html>; Chromium's --dump-dom returns the page once
the script has run (a virtual-time budget lets axe's promises settle)."""

from __future__ import annotations

import html as htmllib
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "scripts" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-component-update", "--disable-sync"]
RUNNER = """<script>{axe}</script><script>
axe.run(document, {options}).then(function (r) {{
  document.documentElement.setAttribute("data-axe-results", JSON.stringify({{
    passes: r.passes.length,
    violations: r.violations.map(function (v) {{
      return {{id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map(function (n) {{ return n.target.join(" "); }})}};
    }})
  }}));
}}, function (e) {{ document.documentElement.setAttribute("data-axe-error", String(e)); }});
</script>"""


def run_axe(html: str, workdir: Path, tags: list[str] | None = None, rules: list[str] | None = None) -> dict:
    """axe's results for the page: {'passes': n, 'violations': [{id, impact, help, nodes}]}.
    Only the rules with one of `tags` (default: WCAG 2.2 A and AA) or the `rules` named."""
    options = ({"runOnly": {"type": "rule", "values": rules}} if rules
               else {"runOnly": {"type": "tag", "values": tags or WCAG_22_AA}})
    runner = RUNNER.format(axe=AXE.read_text(encoding="utf-8"), options=json.dumps(options))
    page = workdir / "axe-page.html"
    page.write_text(html.replace("</body>", runner + "</body>", 1), encoding="utf-8")
    done = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={workdir / 'axe-profile'}",
                           "--virtual-time-budget=60000", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    error = re.search(r'data-axe-error="([^"]*)"', done.stdout)
    assert error is None, f"axe failed: {htmllib.unescape(error.group(1))}"
    found = re.search(r'data-axe-results="([^"]*)"', done.stdout)
    assert found, "axe did not finish within the virtual-time budget"
    return json.loads(htmllib.unescape(found.group(1)))


def describe_violations(results: dict) -> list[str]:
    """One line per violation: rule, impact, what it asks and the first elements concerned."""
    return [f"{v['id']} ({v['impact']}): {v['help']}: {', '.join(v['nodes'][:3])}"
            + (f" and {len(v['nodes']) - 3} more" if len(v["nodes"]) > 3 else "")
            for v in results["violations"]]
