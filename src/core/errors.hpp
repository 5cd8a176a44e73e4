// Errors the C++ code raises on purpose, with the SQLSTATE and the fields
// the user sees (PostgreSQL's: primary message short and lower case without
// a period; detail and hint full sentences; the object it concerns).
// Plain C++: the pure core throws these, the boundary turns them into ereport.
#pragma once

#include <stdexcept>
#include <string>

namespace fkd {

// The table and constraint an error is about, as PostgreSQL reports them
// (PG_DIAG_SCHEMA_NAME, PG_DIAG_TABLE_NAME, PG_DIAG_CONSTRAINT_NAME).
struct ErrorObject {
    std::string schema;
    std::string table;
    std::string constraint;
};

class Error : public std::runtime_error {
public:
    // sqlstate: five characters, e.g. "22023".
    Error(const char *sqlstate, const std::string &message,
          std::string detail = {}, std::string hint = {}, ErrorObject object = {})
        : std::runtime_error(message), sqlstate_(sqlstate),
          detail_(std::move(detail)), hint_(std::move(hint)), object_(std::move(object)) {}

    const std::string &sqlstate() const { return sqlstate_; }
    const std::string &detail() const { return detail_; }
    const std::string &hint() const { return hint_; }
    const ErrorObject &object() const { return object_; }

private:
    std::string sqlstate_;
    std::string detail_;
    std::string hint_;
    ErrorObject object_;
};

// A detail or hint from a clause: "permission denied for table t" becomes
// "Permission denied for table t."
inline std::string sentence(std::string clause)
{
    if (!clause.empty() && clause.front() >= 'a' && clause.front() <= 'z')
        clause.front() = static_cast<char>(clause.front() - 'a' + 'A');
    if (!clause.empty() && clause.back() != '.')
        clause += '.';
    return clause;
}

inline constexpr const char *kInvalidParameterValue = "22023";
inline constexpr const char *kForeignKeyViolation = "23503";
inline constexpr const char *kInsufficientPrivilege = "42501";
inline constexpr const char *kInternalError = "XX000";
inline constexpr const char *kProgramLimitExceeded = "54000";

}  // namespace fkd
