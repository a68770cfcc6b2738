#!/usr/bin/env python3
"""Regenerates the output blocks of README.md: every ```console block that starts with
`$ outturn …` gets that command's real output (run from the repository root with the
debug build). The test ReadmeTests checks the README against the same commands, so the
README can never drift from the program. Usage: swift build && python3 docs/regenerate-readme.py"""
import os, re, shlex, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, ".build", "debug", "outturn")
readme = os.path.join(root, "README.md")
text = open(readme, encoding="utf-8").read()

def run(command):
    args = shlex.split(command)
    assert args[0] == "outturn", command
    p = subprocess.run([binary] + args[1:], cwd=root, capture_output=True, text=True)
    return p.stdout + p.stderr

def replace(match):
    command = match.group(1)
    return "```console\n$ " + command + "\n" + run(command) + "```"

new = re.sub(r"```console\n\$ (outturn[^\n]*)\n.*?```", replace, text, flags=re.S)
open(readme, "w", encoding="utf-8").write(new)
print("README.md regenerated" if new != text else "README.md already up to date")
