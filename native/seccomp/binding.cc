// node-addon-api glue for filter.c and audit-reader.c: converts JS values to C and C errors to JS errors with a code.
#include <napi.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "audit-reader.h"
#include "filter.h"

namespace {

// A JS Error carrying a stable `code`; services/seccomp/addon.ts maps it to UserError or InternalError.
Napi::Error CodedError(Napi::Env env, const char *code, const std::string &message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

const char *CodeName(gb_error_code code) {
  switch (code) {
    case GB_E_UNKNOWN_SYSCALL: return "E_POLICY_UNKNOWN_SYSCALL";
    case GB_E_BAD_CONDITION: return "E_POLICY_BAD_CONDITION";
    case GB_E_BAD_ACTION: return "E_POLICY_BAD_ACTION";
    case GB_E_LIBSECCOMP: return "E_SECCOMP_LIBSECCOMP";
    default: return "E_SECCOMP_SYSTEM";
  }
}

Napi::Error BadSpec(Napi::Env env, const std::string &what) {
  return CodedError(env, "E_SECCOMP_BAD_SPEC", "compileFilter: " + what);
}

Napi::Value Field(const Napi::Object &object, const char *name) {
  return object.Get(name);
}

uint64_t ToUint64(Napi::Env env, const Napi::Value &value, const std::string &where) {
  if (!value.IsBigInt()) throw BadSpec(env, where + " must be a bigint");
  bool lossless = false;
  uint64_t result = value.As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) throw BadSpec(env, where + " must fit in 64 unsigned bits");
  return result;
}

uint32_t ToUint32(Napi::Env env, const Napi::Value &value, const std::string &where) {
  if (!value.IsNumber()) throw BadSpec(env, where + " must be a number");
  double number = value.As<Napi::Number>().DoubleValue();
  if (number < 0 || number > 4294967295.0 || number != static_cast<uint32_t>(number))
    throw BadSpec(env, where + " must be a non-negative integer");
  return static_cast<uint32_t>(number);
}

gb_action ToAction(Napi::Env env, const Napi::Value &value, const std::string &where) {
  if (!value.IsObject()) throw BadSpec(env, where + " must be an object");
  Napi::Object object = value.As<Napi::Object>();
  Napi::Value kind = Field(object, "kind");
  std::string name = kind.IsString() ? kind.As<Napi::String>().Utf8Value() : "";
  gb_action action = {GB_ACTION_ALLOW, 0};
  if (name == "allow") action.kind = GB_ACTION_ALLOW;
  else if (name == "notify") action.kind = GB_ACTION_NOTIFY;
  else if (name == "kill_process") action.kind = GB_ACTION_KILL_PROCESS;
  else if (name == "errno") {
    action.kind = GB_ACTION_ERRNO;
    action.errno_value = static_cast<int>(ToUint32(env, Field(object, "errno"), where + ".errno"));
  } else {
    throw BadSpec(env, where + ".kind must be allow, notify, errno or kill_process");
  }
  return action;
}

gb_compare ToCompare(Napi::Env env, const Napi::Value &value, const std::string &where) {
  static const char *names[] = {"eq", "ne", "lt", "le", "gt", "ge", "masked_eq"};
  std::string name = value.IsString() ? value.As<Napi::String>().Utf8Value() : "";
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (name == names[i]) return static_cast<gb_compare>(i);
  }
  throw BadSpec(env, where + " must be one of eq, ne, lt, le, gt, ge, masked_eq");
}

gb_condition ToCondition(Napi::Env env, const Napi::Value &value, const std::string &where) {
  if (!value.IsObject()) throw BadSpec(env, where + " must be an object");
  Napi::Object object = value.As<Napi::Object>();
  Napi::Value width32 = Field(object, "width32");
  if (!width32.IsBoolean()) throw BadSpec(env, where + ".width32 must be a boolean");
  gb_condition condition = {};
  condition.arg = ToUint32(env, Field(object, "arg"), where + ".arg");
  condition.op = ToCompare(env, Field(object, "op"), where + ".op");
  condition.value = ToUint64(env, Field(object, "value"), where + ".value");
  condition.mask = ToUint64(env, Field(object, "mask"), where + ".mask");
  condition.width32 = width32.As<Napi::Boolean>().Value();
  return condition;
}

Napi::Array ToArray(Napi::Env env, const Napi::Value &value, const std::string &where) {
  if (!value.IsArray()) throw BadSpec(env, where + " must be an array");
  return value.As<Napi::Array>();
}

// Owns the strings and condition arrays that the C spec points into.
struct SpecStorage {
  std::vector<std::string> names;
  std::vector<std::vector<gb_condition>> conditions;
  std::vector<gb_rule> rules;
  gb_filter_spec spec = {};
};

void ReadSpec(Napi::Env env, const Napi::Object &object, SpecStorage &storage) {
  Napi::Array rules = ToArray(env, Field(object, "rules"), "rules");
  uint32_t count = rules.Length();
  storage.names.reserve(count);
  storage.conditions.reserve(count);
  for (uint32_t i = 0; i < count; i++) {
    std::string where = "rules[" + std::to_string(i) + "]";
    Napi::Value item = rules.Get(i);
    if (!item.IsObject()) throw BadSpec(env, where + " must be an object");
    Napi::Object rule = item.As<Napi::Object>();
    Napi::Value syscall = Field(rule, "syscall");
    if (!syscall.IsString()) throw BadSpec(env, where + ".syscall must be a string");
    storage.names.push_back(syscall.As<Napi::String>().Utf8Value());
    Napi::Array conditions = ToArray(env, Field(rule, "conditions"), where + ".conditions");
    std::vector<gb_condition> converted;
    for (uint32_t j = 0; j < conditions.Length(); j++)
      converted.push_back(ToCondition(env, conditions.Get(j), where + ".conditions[" + std::to_string(j) + "]"));
    storage.conditions.push_back(std::move(converted));
    gb_action action = ToAction(env, Field(rule, "action"), where + ".action");
    storage.rules.push_back({storage.names.back().c_str(), action, storage.conditions.back().data(),
                             storage.conditions.back().size()});
  }
  storage.spec.default_action = ToAction(env, Field(object, "defaultAction"), "defaultAction");
  storage.spec.bad_arch_action = ToAction(env, Field(object, "badArchAction"), "badArchAction");
  storage.spec.rules = storage.rules.data();
  storage.spec.rule_count = storage.rules.size();
}

// compileFilter(spec) -> Buffer of struct sock_filter (8 bytes per instruction).
Napi::Value CompileFilter(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) throw BadSpec(env, "expects one spec object");
  SpecStorage storage;
  ReadSpec(env, info[0].As<Napi::Object>(), storage);
  uint8_t *bpf = nullptr;
  size_t length = 0;
  gb_error error;
  if (gb_filter_compile(&storage.spec, &bpf, &length, &error) < 0)
    throw CodedError(env, CodeName(error.code), error.message);
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::Copy(env, bpf, length);
  free(bpf);
  return buffer;
}

// syscallNumber(name) -> number; throws E_POLICY_UNKNOWN_SYSCALL.
Napi::Value SyscallNumber(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsString())
    throw CodedError(env, "E_SECCOMP_BAD_SPEC", "syscallNumber expects a name");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  int nr = gb_syscall_number(name.c_str());
  if (nr < 0) throw CodedError(env, "E_POLICY_UNKNOWN_SYSCALL", "unknown x86_64 syscall \"" + name + "\"");
  return Napi::Number::New(env, nr);
}

// syscallName(nr) -> string | null.
Napi::Value SyscallName(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber())
    throw CodedError(env, "E_SECCOMP_BAD_SPEC", "syscallName expects a number");
  char *name = gb_syscall_name(info[0].As<Napi::Number>().Int32Value());
  if (name == nullptr) return env.Null();
  Napi::String result = Napi::String::New(env, name);
  free(name);
  return result;
}

// openAuditSocket() -> fd; throws E_AUDIT_UNAVAILABLE naming the call that failed and why.
Napi::Value OpenAuditSocket(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  const char *failed_call = "socket";
  int fd = gb_audit_open(&failed_call);
  if (fd < 0) {
    std::string reason = std::strerror(errno);
    throw CodedError(env, "E_AUDIT_UNAVAILABLE", std::string(failed_call) + ": " + reason);
  }
  return Napi::Number::New(env, fd);
}

// Bounds one call, so a flood of records cannot hold the event loop; the rest waits in the socket.
constexpr int kMaxDatagramsPerRead = 512;

// Filled from C; JS values are made afterwards so no C++ exception crosses a C frame.
struct AuditBatch {
  std::vector<std::pair<int, std::string>> records;
  bool out_of_memory = false;
};

void CollectRecord(void *context, int type, const char *text, size_t length) {
  AuditBatch *batch = static_cast<AuditBatch *>(context);
  try {
    batch->records.emplace_back(type, std::string(text, length));
  } catch (...) {
    batch->out_of_memory = true;
  }
}

// readAuditRecords(fd) -> { records: [{ type, text }], lost }; never blocks. `lost`: the kernel
// dropped records because the receive buffer was full (ENOBUFS).
Napi::Value ReadAuditRecords(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber())
    throw CodedError(env, "E_AUDIT_READ", "readAuditRecords expects a file descriptor");
  int fd = info[0].As<Napi::Number>().Int32Value();
  AuditBatch batch;
  bool lost = false;
  for (int i = 0; i < kMaxDatagramsPerRead; i++) {
    int got = gb_audit_read(fd, CollectRecord, &batch);
    if (got == 0) break;
    if (got < 0 && errno == ENOBUFS) lost = true;
    else if (got < 0) throw CodedError(env, "E_AUDIT_READ", std::string("recv(NETLINK_AUDIT): ") + std::strerror(errno));
  }
  if (batch.out_of_memory) throw CodedError(env, "E_AUDIT_READ", "out of memory while reading audit records");
  Napi::Array records = Napi::Array::New(env, batch.records.size());
  for (size_t i = 0; i < batch.records.size(); i++) {
    Napi::Object record = Napi::Object::New(env);
    record.Set("type", Napi::Number::New(env, batch.records[i].first));
    record.Set("text", Napi::String::New(env, batch.records[i].second));
    records.Set(static_cast<uint32_t>(i), record);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("records", records);
  result.Set("lost", Napi::Boolean::New(env, lost));
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("compileFilter", Napi::Function::New(env, CompileFilter, "compileFilter"));
  exports.Set("syscallNumber", Napi::Function::New(env, SyscallNumber, "syscallNumber"));
  exports.Set("syscallName", Napi::Function::New(env, SyscallName, "syscallName"));
  exports.Set("openAuditSocket", Napi::Function::New(env, OpenAuditSocket, "openAuditSocket"));
  exports.Set("readAuditRecords", Napi::Function::New(env, ReadAuditRecords, "readAuditRecords"));
  return exports;
}

}  // namespace

NODE_API_MODULE(gradebox_seccomp, Init)
