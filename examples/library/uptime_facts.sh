#!/bin/sh
# An example script module in plain sh, following Ansible's module contract:
# $1 is a JSON file with the task's arguments; print ONE JSON object on stdout.
# supports_check_mode = true  (read-only: safe to run in check mode)
args_file="$1"
prefix=$(sed -n 's/.*"prefix": *"\([^"]*\)".*/\1/p' "$args_file")
up=$(cut -d' ' -f1 /proc/uptime)
printf '{"changed": false, "msg": "%s%s", "uptime_seconds": %s}\n' "${prefix:-up }" "$up" "$up"
