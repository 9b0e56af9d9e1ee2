// Query strings, urlencoded forms and multipart/form-data bodies.
//
// multipart/form-data is parsed by hand: Beast has no parser for it and the Debian-packaged
// alternatives come with a whole server framework (RESTinio). The parser is small, bounds-checked,
// copies nothing but the parts, and is covered by a fuzz target (tests/fuzz/multipart_fuzz.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carat::http {

struct FormField {
  std::string name;
  std::string value;
  std::optional<std::string> filename;  // set for file parts
  std::string content_type;             // of the part, if given
};

// "a=1&b=x%20y": percent-decoded (plus as space). Undecodable values are kept raw.
std::vector<FormField> parse_urlencoded(std::string_view body);

// The last value of `name` (the contract's rule for repeated parameters).
const FormField* find_last(const std::vector<FormField>& fields, std::string_view name);

// Extracts the boundary parameter of a multipart/form-data Content-Type.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// Parses a multipart body; nullopt when it is malformed.
std::optional<std::vector<FormField>> parse_multipart(std::string_view body,
                                                      std::string_view boundary);

// The media type of a Content-Type header, lower-cased, without parameters.
std::string media_type(std::string_view content_type);

}  // namespace carat::http
