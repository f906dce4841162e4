"""The questionnaire trainees answer about a training site: versioned data.

26 questions in 7 groups, each answered 1-6 (6 best) or "not relevant", plus an optional
comment. The texts are our own, in Danish (what trainees see) with an English translation. A new
version gets a new `version` and lives beside the old; answers always name their version.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Question:
    code: str
    da: str
    en: str


@dataclass(frozen=True, slots=True)
class Group:
    code: str
    da: str
    en: str
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class Questionnaire:
    version: str
    groups: tuple[Group, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for g in self.groups for q in g.questions)

    def group_of(self, code: str) -> str:
        return next(g.code for g in self.groups if any(q.code == code for q in g.questions))


def _q(code: str, da: str, en: str) -> Question:
    return Question(code, da, en)


V1 = Questionnaire(
    version="2026-1",
    groups=(
        Group(
            "introduction",
            "Introduktion",
            "Introduction",
            (
                _q(
                    "intro_plan",
                    "Var din introduktion til stedet planlagt, før du startede?",
                    "Was your introduction to the site planned before you started?",
                ),
                _q(
                    "intro_people",
                    "Blev du præsenteret for de kolleger, du skulle arbejde sammen med?",
                    "Were you introduced to the colleagues you would work with?",
                ),
                _q(
                    "intro_tasks",
                    "Fik du en klar beskrivelse af dine opgaver de første uger?",
                    "Were your tasks in the first weeks clearly described?",
                ),
                _q(
                    "intro_systems",
                    "Blev du oplært i stedets it-systemer og procedurer i tide?",
                    "Were you trained in the site's IT systems and procedures in time?",
                ),
            ),
        ),
        Group(
            "supervision",
            "Uddannelsesplan og vejledersamtaler",
            "Training plan and supervision talks",
            (
                _q(
                    "sup_main",
                    "Fik du en hovedvejleder inden for den første måned?",
                    "Did you get a main supervisor within the first month?",
                ),
                _q(
                    "sup_plan",
                    "Lagde du og din vejleder en uddannelsesplan sammen?",
                    "Did you and your supervisor make a training plan together?",
                ),
                _q(
                    "sup_talks",
                    "Blev vejledersamtalerne holdt som aftalt?",
                    "Were the supervision talks held as agreed?",
                ),
                _q(
                    "sup_followup",
                    "Blev planen fulgt op og justeret undervejs?",
                    "Was the plan followed up and adjusted along the way?",
                ),
            ),
        ),
        Group(
            "guidance",
            "Daglig vejledning",
            "Day-to-day guidance",
            (
                _q(
                    "guide_access",
                    "Kunne du få fat i en erfaren kollega, når du havde brug for det?",
                    "Could you reach an experienced colleague when you needed one?",
                ),
                _q(
                    "guide_feedback",
                    "Fik du løbende feedback på dit arbejde?",
                    "Did you get regular feedback on your work?",
                ),
                _q(
                    "guide_assessment",
                    "Blev dine kompetencer vurderet, når du bad om det?",
                    "Were your competencies assessed when you asked?",
                ),
                _q(
                    "guide_climate",
                    "Var det trygt at spørge om hjælp?",
                    "Did it feel safe to ask for help?",
                ),
            ),
        ),
        Group(
            "organisation",
            "Arbejdstilrettelæggelse",
            "Work organisation",
            (
                _q(
                    "org_learning",
                    "Gav arbejdsopgaverne dig mulighed for at lære det, du skulle?",
                    "Did your work let you learn what you were meant to learn?",
                ),
                _q(
                    "org_balance",
                    "Var der en rimelig balance mellem drift og uddannelse?",
                    "Was there a fair balance between service and training?",
                ),
                _q(
                    "org_schedule",
                    "Tog vagtplanen hensyn til din uddannelse?",
                    "Did the rota take your training into account?",
                ),
                _q(
                    "org_load",
                    "Var arbejdsmængden til at overkomme?",
                    "Was the workload manageable?",
                ),
            ),
        ),
        Group(
            "environment",
            "Læringsmiljø",
            "Learning environment",
            (
                _q(
                    "env_culture",
                    "Var der en kultur, hvor uddannelse blev prioriteret?",
                    "Was there a culture that put training first?",
                ),
                _q(
                    "env_team",
                    "Blev du inddraget som en del af teamet?",
                    "Were you included as part of the team?",
                ),
                _q(
                    "env_respect",
                    "Blev du mødt med respekt af kolleger og ledelse?",
                    "Were you met with respect by colleagues and management?",
                ),
                _q(
                    "env_responsibility",
                    "Fik du ansvar svarende til dit niveau?",
                    "Were you given responsibility matching your level?",
                ),
            ),
        ),
        Group(
            "teaching",
            "Undervisning og kurser",
            "Teaching and courses",
            (
                _q(
                    "teach_local",
                    "Var der regelmæssig undervisning på stedet?",
                    "Was there regular teaching at the site?",
                ),
                _q(
                    "teach_relevant",
                    "Var undervisningen relevant for din uddannelse?",
                    "Was the teaching relevant to your training?",
                ),
                _q(
                    "teach_courses",
                    "Fik du fri til de kurser, din uddannelse kræver?",
                    "Were you released for the courses your training requires?",
                ),
            ),
        ),
        Group(
            "overall",
            "Samlet vurdering",
            "Overall",
            (
                _q(
                    "overall_site",
                    "Hvor godt var stedet samlet set som uddannelsessted?",
                    "Overall, how good was the site as a place to train?",
                ),
                _q(
                    "overall_recommend",
                    "Ville du anbefale stedet til en kollega i samme trin?",
                    "Would you recommend the site to a colleague at the same stage?",
                ),
                _q(
                    "overall_expectations",
                    "Levede opholdet op til dine forventninger?",
                    "Did the stay meet your expectations?",
                ),
            ),
        ),
    ),
)

QUESTIONNAIRES = {V1.version: V1}
CURRENT = V1
