#!/usr/bin/env bash
# Classifies SMTP replies offline: scripts/classify.sh FILE.tsv [RULES.tsv]
# FILE.tsv: a header naming the columns stage and reply (further columns are ignored), then one reply per row;
# "\n" inside a reply is a line break. Prints a TSV with the header
#   stage  reply  action  class  suppress  throttle
# (suppress/throttle as yes/no, replies written back with "\n"). RULES.tsv: optional operator rules, tried
# before the built-in ones (format: src/Orleans.Mail.Delivery/Classification/reply-rules.tsv).
# Runs "orleans-mail classify" from the Release build of the CLI, building it first when it is missing or older
# than its sources (build output goes to stderr). Exit code 2 on bad input, with the reason on stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: scripts/classify.sh FILE.tsv [RULES.tsv]" >&2
  exit 2
fi

project="$root/src/Orleans.Mail.Cli/Orleans.Mail.Cli.csproj"
dll="$root/src/Orleans.Mail.Cli/bin/Release/net10.0/orleans-mail.dll"

# Sources of the CLI and of the classifier newer than the built dll (bin/ and obj/ excluded).
stale() {
  [ -n "$(find "$root/src/Orleans.Mail.Cli" "$root/src/Orleans.Mail.Delivery" \
    \( -name bin -o -name obj \) -prune -o -type f -newer "$dll" -print -quit)" ]
}

if [ ! -f "$dll" ]; then
  command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
  echo "==> building the CLI (Release)" >&2
  dotnet build -c Release "$project" -nologo -v quiet >&2
elif stale; then
  echo "==> rebuilding the CLI (Release): sources changed" >&2
  dotnet build -c Release "$project" -nologo -v quiet >&2 \
    || echo "warning: the build failed; using the previous build of $dll" >&2
fi

args=(classify --file "$1")
if [ $# -eq 2 ]; then
  args+=(--rules "$2")
fi
exec dotnet "$dll" "${args[@]}"
