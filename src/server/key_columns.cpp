#include "server/key_columns.hpp"
#include "server/varlena.hpp"


extern "C" {
#include "access/detoast.h"
}

namespace fkd {

TextKeyBytes::TextKeyBytes(Datum value, KeyKind kind)
{
    auto *text = reinterpret_cast<varlena *>(DatumGetPointer(value));
    if (VARATT_IS_EXTERNAL(text) || VARATT_IS_COMPRESSED(text)) {
        text = pg_call([text]() noexcept { return detoast_attr(text); });
        copy_ = text;
    }
    std::size_t length = VARSIZE_ANY_EXHDR(text);
    const char *bytes = VARDATA_ANY(text);
    if (kind == KeyKind::Bpchar)
        while (length > 0 && bytes[length - 1] == ' ')
            --length;
    view_ = std::string_view(bytes, length);
}

TextKeyBytes::~TextKeyBytes()
{
    if (copy_)
        pfree(copy_);
}

}  // namespace fkd
