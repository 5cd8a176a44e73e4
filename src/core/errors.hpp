// Errors the C++ code raises on purpose, with the SQLSTATE the user sees.
// Plain C++: the pure core throws these, the boundary turns them into ereport.
#pragma once

#include <stdexcept>
#include <string>

namespace fkd {

class Error : public std::runtime_error {
public:
    // sqlstate: five characters, e.g. "22023".
    Error(const char *sqlstate, const std::string &message,
          std::string detail = {}, std::string hint = {})
        : std::runtime_error(message), sqlstate_(sqlstate),
          detail_(std::move(detail)), hint_(std::move(hint)) {}

    const std::string &sqlstate() const { return sqlstate_; }
    const std::string &detail() const { return detail_; }
    const std::string &hint() const { return hint_; }

private:
    std::string sqlstate_;
    std::string detail_;
    std::string hint_;
};

inline constexpr const char *kInvalidParameterValue = "22023";
inline constexpr const char *kInsufficientPrivilege = "42501";
inline constexpr const char *kInternalError = "XX000";

}  // namespace fkd
