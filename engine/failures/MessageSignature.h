#pragma once

#include <QString>

// An error message with what varies between tasks folded away, so that failures of one
// cause read as one: "timed out after 3000 ms on /item/123" and "... on /item/456" both
// become "timed out after <n> ms on <path>".
namespace Brigade::MessageSignature {

// Folds, in this order: URLs (<url>), UUIDs (<uuid>), absolute paths (<path>), IP
// addresses, bracketed or not, with their port (<ip>), hexadecimal numbers and digests
// (0x..., or eight or more hex digits with a digit among them: <hex>), and every other run
// of digits, decimals included (<n>; inside words too: "task-17" is "task-<n>"). The rest
// is kept as it is. At most MaxLength characters (longer ones end in "...").
QString of(const QString &message);

constexpr int MaxLength = 160;

} // namespace Brigade::MessageSignature
