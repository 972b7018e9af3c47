// Overloaded: a visitor from lambdas, for std::visit over the message
// variants (one lambda per message kind; a `const auto&` one takes the rest).
#pragma once

namespace ts::cluster {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace ts::cluster
