// CPU feature numbers for the object's .altinstructions: read from the
// kernel tree's arch/x86/include/asm/cpufeatures.h (word*32+bit; X86_BUG(n)
// is NCAPINTS*32+n), so that a spec or the command line names features the
// way the kernel does ("X86_FEATURE_PTI", or just "PTI").
#pragma once
#include <map>
#include <set>
#include <string>

namespace ec {

// X86_FEATURE_* and X86_BUG_* -> number. Throws InputError when the file
// cannot be read or has no NCAPINTS.
std::map<std::string, unsigned> read_cpufeatures(const std::string& path);

// The numbers of `names`: "X86_FEATURE_PTI", "PTI" (X86_FEATURE_ then
// X86_BUG_ is tried), "X86_BUG_ESPFIX", or a number ("7*32+11", "235").
// Throws InputError (at `where`) for a name the table does not hold.
std::set<unsigned> feature_numbers(const std::set<std::string>& names, const std::map<std::string, unsigned>& table,
                                   const std::string& where);

// "X86_FEATURE_PTI" for 7*32+11 when the table has it, else "7*32+11".
std::string feature_name(unsigned number, const std::map<std::string, unsigned>& table);

}  // namespace ec
