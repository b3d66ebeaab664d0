#pragma once
// The Meta webhook verification handshake (GET), shared by WhatsApp, Messenger and Instagram.
//
// When an operator saves the callback URL, Meta calls it with hub.mode=subscribe,
// hub.verify_token=<the token typed in the dashboard> and hub.challenge=<random>. The
// endpoint proves it is ours by answering 200 with the challenge as the whole body; anything
// else is answered 403. A pure function: any thread may call it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atalaya::channels {

// Returns the challenge to answer 200 with, or nullopt (answer 403) unless mode is exactly
// "subscribe" and token equals (constant-time) one of the non-empty verify_tokens. Empty
// configured tokens are ignored, so an account without a token can never be subscribed.
std::optional<std::string> AnswerMetaHandshake(std::string_view mode, std::string_view token,
                                               std::string_view challenge,
                                               const std::vector<std::string>& verify_tokens);

}  // namespace atalaya::channels
