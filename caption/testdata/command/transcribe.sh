#!/bin/sh
# transcribe.sh stands in for a speech-to-text program in the examples of
# caption.Command: it checks that its last argument is a file and prints a
# fixed transcript in the verbose_json shape. A real wrapper runs a
# speech-to-text engine on "$wav" and prints its result in that shape.
set -e
for wav; do :; done
if [ ! -f "$wav" ]; then
	echo "transcribe.sh: no such file: $wav" >&2
	exit 2
fi
cat <<'JSON'
{
  "language": "en",
  "segments": [
    {"start": 0.0, "end": 1.2, "text": " Hello, world.",
     "words": [{"word": " Hello,", "start": 0.1, "end": 0.5}, {"word": " world.", "start": 0.6, "end": 1.1}]}
  ]
}
JSON
