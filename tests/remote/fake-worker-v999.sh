#!/bin/sh
# A worker from a future Brigade: its hello says protocol version 999, then it waits for
# stdin to close. The frame: u32 LE payload length 6, u8 type 1 (hello); the payload:
# u32 LE magic 0x44475242 ("BRGD" as 42 52 47 44), u16 LE version 999 (e7 03).
printf '\006\000\000\000\001\102\122\107\104\347\003'
exec cat >/dev/null
