#!/usr/bin/env bash
# The HTML period report in a real browser: Debian's headless Chromium renders
# it at a phone's width, the DOM must hold the three charts with their bars,
# the page must load nothing from elsewhere, and text typed by members must
# stay text.
#   report_html_test.sh RENDER_TOOL FIXTURE
# Pages, DOM dumps and the screenshot go to $REPORT_HTML_OUT when set (kept),
# otherwise to a temporary directory that is removed when every check passes.
set -uo pipefail
render=$1 fixture=$2
out=${REPORT_HTML_OUT:-}
keep=1
[ -n "$out" ] || { out=$(mktemp -d); keep=0; }
mkdir -p "$out"
: >"$out/chromium.log"
passed=0 failed=0
check() {  # check NAME COMMAND...: one line per check, counted
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $name"
  else failed=$((failed + 1)); echo "FAIL $name"; fi
}
browser() {  # a fresh profile each run, so no state leaks between runs
  local profile rc
  profile=$(mktemp -d)
  timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" "$@" 2>>"$out/chromium.log"
  rc=$?
  rm -rf "$profile"
  return $rc
}
contains() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qiE -- "$2" "$1"; }
# The <svg> element with id $2 in DOM dump $1, on one line.
chart() { tr '\n' ' ' <"$1" | grep -oP "<svg[^>]*id=\"$2\".*?</svg>"; }
has_bar() { chart "$1" "$2" | grep -q '<rect class="bar'; }
no_bar() { chart "$1" "$2" >/dev/null && ! chart "$1" "$2" | grep -q '<rect class="bar'; }
png_ok() {  # a PNG, 412 pixels wide, big enough to hold more than a blank page
  [ -s "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = "211PNG" ] &&
    [ "$(od -An -tu1 -j16 -N4 "$1" | tr -s ' ')" = " 0 0 1 156" ] && [ "$(stat -c %s "$1")" -gt 20000 ]
}
ids=(chart-hours-month chart-hours-category chart-expenses-category)

if [ ! -x /usr/bin/chromium ]; then
  echo "FAIL /usr/bin/chromium is missing: run scripts/install-deps.sh --test"
  echo "0 passed, 1 failed"
  exit 1
fi

# 1. The fixture, as a phone shows it.
page=$out/report.html
check "render_report writes the page" "$render" "$fixture" "$page"
check "HTML5 page with a phone viewport" \
  bash -c "head -c 15 '$page' | grep -qx '<!DOCTYPE html>' && grep -qF 'name=\"viewport\" content=\"width=device-width' '$page'"
check "no http:// or https:// reference" lacks "$page" 'https?://'
check "no script, link, image, frame or url()" lacks "$page" '<script|<link|<img|<iframe|<object|src=|url\('
check "print styles keep sections whole" contains "$page" 'break-inside:avoid'
check "definitions beside the figures" contains "$page" 'Members who gave at least one confirmed hour in the period.'
check "money and time formatted for people" \
  bash -c "grep -qF '£99.29' '$page' && grep -qF '37h 30m' '$page' && grep -qF -- '-34h 00m' '$page'"
browser --screenshot="$out/report_phone.png" --window-size=412,2400 "file://$page" >/dev/null
check "screenshot at phone width is a non-trivial PNG" png_ok "$out/report_phone.png"
browser --dump-dom "file://$page" >"$out/report_dom.html"
for id in "${ids[@]}"; do
  check "DOM has <svg id=$id> with role=img and bars" \
    bash -c "$(declare -f chart has_bar); chart '$out/report_dom.html' $id | grep -q 'role=\"img\"' && has_bar '$out/report_dom.html' $id"
done
check "DOM has a data table under each chart" bash -c "[ \$(grep -o '(data of the chart)' '$out/report_dom.html' | wc -l) -eq 3 ]"

# 2. Aliases, names and categories typed by members stay text.
hostile=$out/hostile.json
sed -f - "$fixture" >"$hostile" <<'EOF'
s|"member": "alice"|"member": "<script>alert(1)</script>"|
s|"coop": "[^"]*"|"coop": "Hilltop \& \\"Care\\" <i>Co-op</i> 'x'"|
s|"category": "travel"|"category": "<img src=x onerror=alert(2)>"|
EOF
check "render_report writes the hostile page" "$render" "$hostile" "$out/hostile.html"
check "alias <script> is escaped" contains "$out/hostile.html" '&lt;script&gt;alert(1)&lt;/script&gt;'
check "co-op name escapes & < > \" '" contains "$out/hostile.html" 'Hilltop &amp; &quot;Care&quot; &lt;i&gt;Co-op&lt;/i&gt; &#39;x&#39;'
check "no markup from the JSON reaches the page" lacks "$out/hostile.html" '<script|<img|<i>'
browser --dump-dom "file://$out/hostile.html" >"$out/hostile_dom.html"
check "browser parsed no <script> or <img> element" lacks "$out/hostile_dom.html" '<script|<img'
check "browser shows the alias as text" contains "$out/hostile_dom.html" '&lt;script&gt;alert(1)&lt;/script&gt;'

# 3. Empty lists, zero values, floats and missing keys: "No data", no bars, no crash.
empty=$out/empty.json
cat >"$empty" <<'EOF'
{"coop": "Empty Co-op", "hours_by_month": [{"month": "2026-11", "minutes": 0}],
 "hours_by_category": [], "expenses_by_category": [{"category": "meals", "claimed_pence": 1.5}],
 "people": "not an object", "unusual": [], "definitions": {"extra": "A definition no figure uses."}}
EOF
check "render_report copes with empty and odd input" "$render" "$empty" "$out/empty.html"
check "render_report copes with {}" bash -c "echo '{}' >'$out/bare.json' && '$render' '$out/bare.json' '$out/bare.html'"
check "render_report refuses invalid JSON" bash -c "echo '{' >'$out/bad.json'; ! '$render' '$out/bad.json' '$out/bad.html' 2>/dev/null"
browser --dump-dom "file://$out/empty.html" >"$out/empty_dom.html"
for id in "${ids[@]}"; do
  check "empty page: <svg id=$id> says no data, draws no bar" \
    bash -c "$(declare -f chart no_bar); no_bar '$out/empty_dom.html' $id && chart '$out/empty_dom.html' $id | grep -q 'No data in this period'"
done
check "unused definitions are still listed" contains "$out/empty_dom.html" 'A definition no figure uses.'
check "missing figures show a dash" contains "$out/bare.html" '<p class="value">—</p>'

if [ "$failed" -eq 0 ] && [ "$keep" -eq 0 ]; then rm -rf "$out"; else echo "screenshot: $out/report_phone.png"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
