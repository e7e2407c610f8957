#!/usr/bin/env bash
# `make run`: the development server on PORT (default 8000). The address is printed once the server answers,
# not before. Django's debug pages (which list every URL) only when the developer sets DEBUG=true.
set -euo pipefail
port="${PORT:-8000}"
python="${PY:-.venv/bin/python}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:${port}}"  # links in the emails printed to the console
"$python" manage.py runserver "127.0.0.1:${port}" &
server=$!
trap 'kill "$server" 2>/dev/null || true' INT TERM EXIT
# Wait as long as the server is starting (a busy machine can take longer than any fixed limit); after 30 s say
# what the health check answers, once, so a database or Redis that is down does not look like a hang.
tries=0
until curl -fsS -o /dev/null "http://127.0.0.1:${port}/health/" 2>/dev/null; do
  if ! kill -0 "$server" 2>/dev/null; then
    wait "$server"
    exit $?
  fi
  tries=$((tries + 1))
  if [ "$tries" -eq 150 ]; then
    echo "Still waiting for http://127.0.0.1:${port}/health/ to answer: $(curl -sS "http://127.0.0.1:${port}/health/" 2>&1 || true)"
  fi
  sleep 0.2
done
echo "AssetLens is on http://127.0.0.1:${port} (Ctrl+C to stop)"
wait "$server"
