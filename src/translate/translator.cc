// Entry point; the pipeline lives in ModuleTranslator (module_translator.h).
#include "translate/translator.h"

#include "translate/module_translator.h"

namespace cnake::translate {

Translation TranslateCython(std::string_view cython_source) {
  return ModuleTranslator(cython_source).Run();
}

}  // namespace cnake::translate
