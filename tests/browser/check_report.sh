#!/usr/bin/env bash
# Checks a drillsim report.html in headless Chromium (Debian package
# `chromium`; Chinese text needs a CJK system font, e.g. `fonts-wqy-microhei`).
#
#   tests/browser/check_report.sh REPORT.html [SCREENSHOT.png] [MIN_CHARTS]
#
# Loads a temporary copy of the page with two small scripts added: one at the
# start of <head> records load errors; one at the end of <body> measures every
# <svg> chart and counts the resources the page requested (a self-contained
# report requests none). The verdict is written into document.title and read
# back from --dump-dom. Exits non-zero if a chart is missing or has no size (<50 px),
# a resource failed or was requested at all, or fewer than MIN_CHARTS (default
# 6) charts are present. With SCREENSHOT, also saves a full-width screenshot.
set -euo pipefail

html=${1:?usage: check_report.sh REPORT.html [SCREENSHOT.png] [MIN_CHARTS]}
shot=${2:-}
min_charts=${3:-6}
chrome=${CHROMIUM:-/usr/bin/chromium}
[[ -f $html ]] || { echo "no such file: $html" >&2; exit 2; }
[[ -x $chrome ]] || { echo "chromium not found at $chrome (apt-get install chromium)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
page=$work/page.html

head_js='<script>window.__errs=[];addEventListener("error",function(e){var t=e.target||{};__errs.push((t.src||t.href||e.message||"error")+"");},true);</script>'
body_js='<script>
addEventListener("load", function(){ setTimeout(function(){
  var figs=document.querySelectorAll("figure[data-chart]"), bad=[], n=0;
  figs.forEach(function(f){
    var s=f.querySelector("svg"), name=f.getAttribute("data-chart");
    if(!s){bad.push(name+": no svg");return;}
    var r=s.getBoundingClientRect(); n++;
    if(!(r.width>=50&&r.height>=50)) bad.push(name+": no size ("+r.width+"x"+r.height+")");
    if(s.querySelectorAll("text").length==0) bad.push(name+": no text");
  });
  document.querySelectorAll("svg").forEach(function(s){
    var r=s.getBoundingClientRect(); if(!(r.width>=50&&r.height>=50)) bad.push("an svg has no size");
  });
  var res=performance.getEntriesByType("resource").map(function(e){return e.name;});
  if(res.length) bad.push("requested resources: "+res.join(" "));
  if(window.__errs.length) bad.push("load errors: "+window.__errs.join(" "));
  if(n<MIN) bad.push("only "+n+" charts, expected "+MIN);
  document.title=(bad.length?"CHECK-FAIL ":"CHECK-OK ")+JSON.stringify({charts:n,svgs:document.querySelectorAll("svg").length,problems:bad});
}, 100); });
</script>'
body_js=${body_js//MIN/$min_charts}

# Insert the scripts (first <head>, last </body>); bash string ops keep bytes.
src=$(cat "$html")
[[ $src == *"<head>"* && $src == *"</body>"* ]] || { echo "CHECK-FAIL not an HTML page with <head> and </body>" >&2; exit 1; }
pre=${src%%<head>*}; rest=${src#*<head>}
body=${rest%</body>*}; tail=${rest##*</body>}
printf '%s<head>%s%s%s</body>%s' "$pre" "$head_js" "$body" "$body_js" "$tail" > "$page"

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$work/profile" --virtual-time-budget=5000)

dom=$("$chrome" "${flags[@]}" --dump-dom "file://$page" 2>"$work/chrome.log") || {
  echo "chromium failed:" >&2; tail -20 "$work/chrome.log" >&2; exit 1; }
verdict=$(printf '%s' "$dom" | grep -o '<title>CHECK-[^<]*</title>' | sed -e 's/<title>//' -e 's/<\/title>//' || true)
if [[ -z $verdict ]]; then
  echo "CHECK-FAIL the check script did not run" >&2; exit 1
fi
echo "$verdict"

if [[ -n $shot ]]; then
  "$chrome" "${flags[@]}" --hide-scrollbars --window-size=1200,3000 \
    --screenshot="$shot" "file://$(realpath "$html")" 2>>"$work/chrome.log" >/dev/null || {
    echo "screenshot failed" >&2; tail -20 "$work/chrome.log" >&2; exit 1; }
  [[ -s $shot ]] || { echo "screenshot is empty" >&2; exit 1; }
  echo "screenshot: $shot"
fi

[[ $verdict == CHECK-OK* ]]
