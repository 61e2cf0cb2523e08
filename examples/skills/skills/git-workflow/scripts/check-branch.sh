#!/bin/sh
# Usage: check-branch.sh NAME: exits 0 when NAME follows <kind>/<short-topic>.
echo "$1" | grep -Eq '^(feat|fix|docs|chore)/[a-z0-9-]+$'
