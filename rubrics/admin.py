from django.contrib import admin

from .models import Criterion, Level, Question, Rubric, RubricVersion


class RubricVersionInline(admin.TabularInline):
    model = RubricVersion
    extra = 0
    fields = ["number", "status", "published_at", "change_note"]
    readonly_fields = ["published_at"]


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "is_default"]
    list_filter = ["district", "is_default"]
    inlines = [RubricVersionInline]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["order", "key", "title", "weight"]


@admin.register(RubricVersion)
class RubricVersionAdmin(admin.ModelAdmin):
    list_display = ["rubric", "number", "status", "published_at"]
    list_filter = ["status", "rubric"]
    inlines = [CriterionInline]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "order", "weight"]
    inlines = [QuestionInline]


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["prompt", "criterion", "order", "weight", "required"]
    list_filter = ["criterion__version"]
    inlines = [LevelInline]
