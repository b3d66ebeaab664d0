#pragma once
// The cheap structural check of a Meta webhook body, done at request time before the body is
// stored: a body that passes can later be parsed by ParseMetaWebhook without surprises
// (bounded depth, valid UTF-8), and one that fails is answered 400 and never stored.
//
// Nesting depth is measured while scanning (ScanJson stops at the first level too deep), never by
// recursing over a parsed tree, so a hostile body cannot exhaust the stack or the memory. Pure; any
// thread.
//
// Errors (all kInvalidArgument, messages shown to the API client):
//   "body is not valid UTF-8 (byte offset N)"
//   "body is not valid JSON: line L, column C: <what was expected>"
//   "JSON nested deeper than <max_depth> levels"
//   "body is not a JSON object"
//   "body has no \"entry\" array"
//   "\"entry\" is not an array"

#include <string_view>

#include "common/status.h"

namespace atalaya::channels {

// The depth the daemon allows; a top-level object counts as one level.
inline constexpr int kMaxMetaJsonDepth = 64;

Status ValidateMetaEnvelope(std::string_view body, int max_depth = kMaxMetaJsonDepth);

}  // namespace atalaya::channels
