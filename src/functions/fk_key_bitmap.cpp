// fkdoctor_internal.fk_key_bitmap(least bigint, range bigint, key): the
// aggregate that reads a parent's dense integer keys into a bitmap over
// [least, least + range), in every process of a parallel scan; the bitmaps
// are OR'ed together. Its result, like its state between processes, is
// bytes: least, range, then the bitmap's words (range / 64 + 1 of them).
// Anyone may call it: a key outside the range, or bytes of another shape,
// are refused.
#include "core/errors.hpp"
#include "core/key_set.hpp"
#include "server/internal_calls.hpp"
#include "server/key_columns.hpp"
#include "server/varlena.hpp"

namespace fkd {
namespace {

// The biggest bitmap asked for: 1 GB of words, as a bytea can hold.
constexpr std::uint64_t kMostBits = (MaxAllocSize - 64) / 8 * 8 * 8 - 64;

struct BitmapState {
    static constexpr std::uint32_t kTag = 0x666B6462;  // "fkdb"
    std::uint32_t tag;
    Oid key_type;  // of the step's key argument (not known when combining)
    IntegerKey least;
    std::uint64_t range;
    std::uint64_t *words;  // range / 64 + 1, in the aggregate's context
};

std::size_t word_count(std::uint64_t range) { return static_cast<std::size_t>(range / 64 + 1); }

BitmapState *new_bitmap(MemoryContext context, IntegerKey least, std::uint64_t range)
{
    if (range == 0 || range > kMostBits)
        refuse_internal_call("The range of the bitmap is empty or too large.");
    std::size_t bytes = word_count(range) * sizeof(std::uint64_t);
    return pg_call([=]() noexcept {
        auto *state = static_cast<BitmapState *>(MemoryContextAlloc(context, sizeof(BitmapState)));
        *state = {BitmapState::kTag, InvalidOid, least, range,
                  static_cast<std::uint64_t *>(MemoryContextAllocExtended(
                      context, bytes, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO))};
        return state;
    });
}

BitmapState *bitmap_argument(FunctionCallInfo fcinfo, int n)
{
    return state_argument<BitmapState>(fcinfo, n, "The state is not an fkdoctor bitmap.");
}

Oid key_type(FunctionCallInfo fcinfo)
{
    Oid type = PG_NARGS() == 4 ? get_fn_expr_argtype(fcinfo->flinfo, 3) : InvalidOid;
    if (!is_integer_type(type))
        refuse_internal_call("fk_key_bitmap reads one smallint, integer or bigint key.");
    return type;
}

Datum bitmap_step(FunctionCallInfo fcinfo)
{
    BitmapState *state = bitmap_argument(fcinfo, 0);
    if (!state) {
        MemoryContext context = aggregate_context(fcinfo);
        if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_GETARG_INT64(2) <= 0)
            refuse_internal_call("The range of the bitmap is empty or too large.");
        Oid type = key_type(fcinfo);
        state = new_bitmap(context, PG_GETARG_INT64(1),
                           static_cast<std::uint64_t>(PG_GETARG_INT64(2)));
        state->key_type = type;
    }
    if (PG_ARGISNULL(3))
        PG_RETURN_POINTER(state);
    std::uint64_t offset =
        static_cast<std::uint64_t>(integer_value(PG_GETARG_DATUM(3), state->key_type)) -
        static_cast<std::uint64_t>(state->least);
    if (offset >= state->range)
        refuse_internal_call("A key is outside the range of the bitmap.");
    state->words[offset / 64] |= std::uint64_t{1} << (offset % 64);
    PG_RETURN_POINTER(state);
}

Datum bitmap_combine(FunctionCallInfo fcinfo)
{
    MemoryContext context = aggregate_context(fcinfo);
    BitmapState *mine = bitmap_argument(fcinfo, 0);
    BitmapState *theirs = bitmap_argument(fcinfo, 1);
    if (!theirs)
        PG_RETURN_POINTER(mine);
    if (!mine)
        mine = new_bitmap(context, theirs->least, theirs->range);
    if (mine->least != theirs->least || mine->range != theirs->range)
        refuse_internal_call("The bitmaps are of different ranges.");
    for (std::size_t n = 0; n < word_count(mine->range); ++n)
        mine->words[n] |= theirs->words[n];
    PG_RETURN_POINTER(mine);
}

// least, range, then the words.
bytea *bitmap_bytes(const BitmapState &state)
{
    std::uint64_t header[2] = {static_cast<std::uint64_t>(state.least), state.range};
    std::size_t words = word_count(state.range) * sizeof(std::uint64_t);
    bytea *result = new_bytea(sizeof header + words);
    memcpy(VARDATA(result), header, sizeof header);
    memcpy(VARDATA(result) + sizeof header, state.words, words);
    return result;
}

Datum bitmap_serialize(FunctionCallInfo fcinfo)
{
    aggregate_context(fcinfo);
    PG_RETURN_BYTEA_P(bitmap_bytes(*bitmap_argument(fcinfo, 0)));
}

Datum bitmap_result(FunctionCallInfo fcinfo)
{
    aggregate_context(fcinfo);
    BitmapState *state = bitmap_argument(fcinfo, 0);
    if (!state)
        PG_RETURN_NULL();
    PG_RETURN_BYTEA_P(bitmap_bytes(*state));
}

// In the calling context (short-lived): bitmap_combine ORs it into its own.
Datum bitmap_deserialize(FunctionCallInfo fcinfo)
{
    aggregate_context(fcinfo);
    std::size_t size = 0;
    const auto *words = static_cast<const std::uint64_t *>(
        aligned_bytes(PG_GETARG_DATUM(0), 0, CurrentMemoryContext, size));
    if (!words || size < 2 * sizeof(std::uint64_t) || words[1] == 0 || words[1] > kMostBits ||
        size != (2 + word_count(words[1])) * sizeof(std::uint64_t))
        refuse_internal_call("The bytes are not an fkdoctor bitmap.");
    BitmapState *state = new_bitmap(CurrentMemoryContext, static_cast<IntegerKey>(words[0]), words[1]);
    std::memcpy(state->words, words + 2, size - 2 * sizeof(std::uint64_t));
    PG_RETURN_POINTER(state);
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_key_bitmap_step, fkd::bitmap_step)
FKD_SQL_FUNCTION(fk_key_bitmap_combine, fkd::bitmap_combine)
FKD_SQL_FUNCTION(fk_key_bitmap_serialize, fkd::bitmap_serialize)
FKD_SQL_FUNCTION(fk_key_bitmap_deserialize, fkd::bitmap_deserialize)
FKD_SQL_FUNCTION(fk_key_bitmap_result, fkd::bitmap_result)
