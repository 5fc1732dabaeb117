// The x86-32 registers the entry-code subset names, with width and family.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ec {

enum class Reg : uint8_t {
  // 32-bit general registers, in encoding order (index == hardware number).
  EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI,
  AX, CX, DX, BX, SP, BP, SI, DI,
  AL, CL, DL, BL, AH, CH, DH, BH,
  ES, CS, SS, DS, FS, GS,
  CR0, CR2, CR3, CR4,
};

enum class RegFamily : uint8_t { General, Segment, Control };

struct RegInfo {
  std::string_view name;  // without '%'
  RegFamily family;
  int width_bits;         // 8, 16 or 32
  int index;              // general: 0..7 (EAX..EDI); segment: ES=0..GS=5; control: CR number
  bool high_byte;         // AH..BH
};

const RegInfo& reg_info(Reg r);
std::optional<Reg> reg_by_name(std::string_view name);  // "eax", "fs", "cr3" (no '%')

inline constexpr int kNumGeneral = 8;
inline constexpr int kNumSegment = 6;
enum SegIndex : int { SEG_ES = 0, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };
enum GprIndex : int { R_EAX = 0, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI };
std::string_view gpr_name(int index);      // "eax".."edi"
std::string_view segment_name(int index);  // "es".."gs"

}  // namespace ec
